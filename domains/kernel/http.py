"""What a domain's plain HTTP endpoint (``DomainModule.routes``) reaches of the process."""

from typing import cast

from starlette.requests import Request

from domains.kernel.resources import Resources


def resources_of(request: Request) -> Resources:
    """The process's resources, made by the lifespan (``app.state.runtime``)."""
    return cast(Resources, request.app.state.runtime.resources)
