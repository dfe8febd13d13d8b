"""Errors shared by all domains.

Expected failures of a mutation are members of its result union (types implementing
``UserError``). Errors that end a whole request (bad arguments, not signed in, not allowed) are
``DomainError``s: the API lets them through error masking with their ``code``; anything else is
masked and logged.
"""

from typing import Any

import strawberry


class DomainError(Exception):
    """An error the client caused and can fix; its message is safe to show."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.details}


class InvalidInput(DomainError):
    code = "BAD_USER_INPUT"


class NotAuthenticated(DomainError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Sign in to do this.") -> None:
        super().__init__(message)


class Forbidden(DomainError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__(message)


class NotFound(DomainError):
    code = "NOT_FOUND"


@strawberry.interface(description="An expected failure: show `message`, branch on `code`.")
class UserError:
    message: str
    code: str


@strawberry.type(description="The input was not valid; `field` names the offending input field.")
class ValidationFailed(UserError):
    field: str | None = None


@strawberry.type(description="The object does not exist or is not visible to you.")
class NotFoundError(UserError):
    pass


def validation_failed(error: InvalidInput) -> ValidationFailed:
    """The union member for an input error raised by a service."""
    field = error.details.get("field")
    return ValidationFailed(
        message=error.message, code=error.code, field=str(field) if field else None
    )
