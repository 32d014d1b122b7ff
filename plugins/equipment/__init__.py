"""The equipment plugin. Its hook implementations live in ``plugin.py``."""
