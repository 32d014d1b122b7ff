"""The suite uses the same test kit as plugin authors (``core.testing``, a pytest plugin)."""
