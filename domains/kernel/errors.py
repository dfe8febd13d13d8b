"""Errors shared by all domains.

Expected failures of a mutation are members of its result union (types implementing
``UserError``). Errors that end a whole request (bad arguments, not signed in, not allowed) are
``DomainError``s: the API lets them through error masking with their ``code``; anything else is
masked and logged.
"""

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Self, TypeVar

import strawberry

T = TypeVar("T")
Member = TypeVar("Member")


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


class AppCheckFailed(DomainError):
    """The request did not come from the genuine app (Firebase App Check)."""

    code = "APP_CHECK_FAILED"

    def __init__(self) -> None:
        super().__init__("Send a valid Firebase App Check token (X-Firebase-AppCheck header).")


class AccountRequired(DomainError):
    """A guest (Firebase anonymous) sign-in cannot do this: anyone can make those by the
    thousand, so booking, waiting and patient profiles need a real account."""

    code = "ACCOUNT_REQUIRED"

    def __init__(self) -> None:
        super().__init__("Sign in with your phone number or an account to do this.")


class SignInTooOld(DomainError):
    """A destructive account action needs a sign-in made moments ago, not a refreshed token."""

    code = "RECENT_SIGN_IN_REQUIRED"


@strawberry.interface(description="An expected failure: show `message`, branch on `code`.")
class UserError:
    message: str
    code: str
    # The DomainError codes this union member stands for, and the DomainError classes whatever
    # their code (neither is a GraphQL field).
    codes: ClassVar[frozenset[str]] = frozenset()
    kinds: ClassVar[tuple[type[DomainError], ...]] = ()

    @classmethod
    def from_error(cls, error: DomainError) -> Self:
        return cls(message=error.message, code=error.code)


@strawberry.type(description="The input was not valid; `field` names the offending input field.")
class ValidationFailed(UserError):
    field: str | None = None
    codes: ClassVar[frozenset[str]] = frozenset({InvalidInput.code})
    kinds: ClassVar[tuple[type[DomainError], ...]] = (InvalidInput,)

    @classmethod
    def from_error(cls, error: DomainError) -> Self:
        field = error.details.get("field")
        return cls(message=error.message, code=error.code, field=str(field) if field else None)


@strawberry.type(description="The object does not exist or is not visible to you.")
class NotFoundError(UserError):
    codes: ClassVar[frozenset[str]] = frozenset({NotFound.code})
    kinds: ClassVar[tuple[type[DomainError], ...]] = (NotFound,)


def as_member(error: DomainError, members: tuple[type[Member], ...]) -> Member:
    """The member among ``members`` that stands for ``error``'s code; an error no member stands
    for (not signed in, not allowed) is raised again and ends the request."""
    for member in members:
        if issubclass(member, UserError) and (
            error.code in member.codes or isinstance(error, member.kinds)
        ):
            return member.from_error(error)
    raise error


async def expected(
    call: Awaitable[T], convert: Callable[[T], Member], *failures: type[Member]
) -> Member:
    """The one way a resolver turns a service call into its result union: the converted value,
    or the union member standing for the expected error the service raised.

    ``Member`` is inferred from the resolver's declared union, so a failure type that is not a
    member of it is a type error::

        return await expected(service.book(...), Appointment.from_document, SlotFull, ...)
    """
    try:
        value = await call
    except DomainError as error:
        return as_member(error, failures)
    return convert(value)
