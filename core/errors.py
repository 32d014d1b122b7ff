"""Errors a view raises to answer with a refusal; ``core.routing`` turns them into pages."""

from __future__ import annotations


class HTTPProblem(Exception):
    """Base: an HTTP status and a plain-words message for the person."""

    status = 400

    def __init__(self, message: str = "", *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class BadRequest(HTTPProblem):
    status = 400


class Forbidden(HTTPProblem):
    status = 403


class NotFound(HTTPProblem):
    status = 404


class Conflict(HTTPProblem):
    status = 409


class TooManyRequests(HTTPProblem):
    status = 429


class SignInRequired(HTTPProblem):
    status = 401


class ServiceUnavailable(HTTPProblem):
    """A store the request needs is down (the database has its own path in core.routing)."""

    status = 503
