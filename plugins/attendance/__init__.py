"""The attendance plugin. Its hook implementations live in ``plugin.py``."""
