"""The quiz plugin. Its hook implementations live in ``plugin.py``."""
