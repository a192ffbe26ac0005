"""Errors that services raise; views and the API turn them into 4xx answers."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation. `field_errors` maps field -> messages."""

    status = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409
