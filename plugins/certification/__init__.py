"""The certification plugin. Its hook implementations live in ``plugin.py``."""
