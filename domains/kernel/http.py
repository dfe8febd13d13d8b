"""What a domain's plain HTTP endpoint (``DomainModule.routes``) reaches of the process."""

from typing import Protocol, cast

from starlette.requests import Request

from domains.kernel.auth import Principal
from domains.kernel.resources import Key, Resources
from domains.kernel.types import Database


def resources_of(request: Request) -> Resources:
    """The process's resources, made by the lifespan (``app.state.runtime``)."""
    return cast(Resources, request.app.state.runtime.resources)


class RouteSignIn(Protocol):
    """How a plain HTTP endpoint learns who calls (the API's sign-in, provided by the lifespan)."""

    async def principal(self, authorization: str | None, db: Database) -> Principal | None:
        """The caller (anonymous without a header); None when the credentials are not valid."""
        ...


ROUTE_SIGN_IN: Key[RouteSignIn] = Key("kernel.route-sign-in")


async def principal_of(request: Request) -> Principal | None:
    """Who calls this endpoint; None when the Authorization header is not valid."""
    resources = resources_of(request)
    return await resources.get(ROUTE_SIGN_IN).principal(
        request.headers.get("authorization"), resources.db
    )
