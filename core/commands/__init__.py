"""Core subcommands of ``declic`` (see ``core/cli.py``)."""
