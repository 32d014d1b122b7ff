"""The one exception the plugin's operations raise when an action cannot be done."""

from __future__ import annotations


class RefusedError(Exception):
    """An action that cannot be done, with the reason in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
