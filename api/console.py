"""The hospital staff console (console/, built with Vite) under /console/: its static files
with a strict Content-Security-Policy, and, only where development tokens are on, a sign-in
that lists demo staff accounts of the demo facilities (docs/console.md)."""

import json
from datetime import timedelta
from pathlib import Path
from typing import TypedDict

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from api.auth import mint_dev_token
from api.settings import Settings
from domains.health.seed import DATA as DEMO_HOSPITALS
from domains.kernel.auth import Role

DIST = Path(__file__).resolve().parent.parent / "console" / "dist"
DEMO_STAFF_FACILITIES = 3
# Firebase Authentication's own endpoints: the only other hosts the console may talk to.
FIREBASE_HOSTS = "https://identitytoolkit.googleapis.com https://securetoken.googleapis.com"


def content_security_policy(settings: Settings) -> str:
    """Everything from this origin; no inline code or style, no framing, no plugins."""
    firebase = settings.console_firebase_api_key is not None
    connect = f"'self' {FIREBASE_HOSTS}" if firebase else "'self'"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob: mediastream:",
            "font-src 'self'",
            f"connect-src {connect}",
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ConsoleFiles:
    """The built console with its security headers; a hint when it has not been built."""

    def __init__(self, settings: Settings, directory: Path = DIST) -> None:
        self.directory = directory
        self.files = StaticFiles(directory=directory, html=True, check_dir=False)
        self.headers = [
            (b"content-security-policy", content_security_policy(settings).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (self.directory / "index.html").is_file():
            response = PlainTextResponse(
                "The console is not built: `make run` builds it (or run `npm ci && npm run "
                "build` in console/).",
                status_code=503,
            )
            await response(scope, receive, send)
            return
        hashed = scope["path"].startswith("/assets/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                cache = b"public, max-age=31536000, immutable" if hashed else b"no-cache"
                message["headers"] = [
                    *message.get("headers", []),
                    *self.headers,
                    (b"cache-control", cache),
                ]
            await send(message)

        await self.files(scope, receive, send_with_headers)


class DemoStaff(TypedDict):
    uid: str
    label: str
    hospitalIds: list[str]


def demo_staff() -> list[DemoStaff]:
    """One front-desk account per demo facility (the first few), and an administrator."""
    hospitals = json.loads(DEMO_HOSPITALS.read_text(encoding="utf-8"))[:DEMO_STAFF_FACILITIES]
    staff = [
        DemoStaff(
            uid=f"demo-staff-{h['id']}",
            label=f"Tiếp đón · {h['name']['vi']}",
            hospitalIds=[str(h["id"])],
        )
        for h in hospitals
    ]
    staff.append(DemoStaff(uid="demo-admin", label="Quản trị viên (mọi cơ sở)", hospitalIds=[]))
    return staff


def _dev_routes(settings: Settings) -> list[BaseRoute]:
    staff = {s["uid"]: s for s in demo_staff()}

    async def list_staff(request: Request) -> Response:
        return JSONResponse(list(staff.values()), headers={"cache-control": "no-store"})

    async def token(request: Request) -> Response:
        try:
            uid = str((await request.json())["uid"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'Send {"uid": ...}.'}, status_code=400)
        member = staff.get(uid)
        if member is None:
            return JSONResponse({"error": "Not a demo staff account."}, status_code=404)
        hospitals = member["hospitalIds"]
        minted = mint_dev_token(
            secret=settings.dev_secret,
            uid=uid,
            roles=[Role.HOSPITAL_STAFF] if hospitals else [Role.ADMIN],
            hospital_ids=hospitals,
            ttl=timedelta(hours=12),
        )
        return JSONResponse({"token": minted}, headers={"cache-control": "no-store"})

    return [
        Route("/console/dev/staff", list_staff, methods=["GET"]),
        Route("/console/dev/token", token, methods=["POST"]),
    ]


def client_config(settings: Settings) -> dict[str, object]:
    """What the console needs to know at run time: how staff sign in here."""
    firebase = None
    if settings.console_firebase_api_key:
        project = settings.firebase_project
        firebase = {
            "apiKey": settings.console_firebase_api_key,
            "authDomain": settings.console_firebase_auth_domain or f"{project}.firebaseapp.com",
            "projectId": project,
        }
    return {"firebase": firebase, "devSignIn": settings.dev_tokens_active}


def console_routes(settings: Settings) -> list[BaseRoute]:
    """/console/ and its files; the development sign-in only where development tokens work."""
    config = client_config(settings)

    async def to_console(request: Request) -> Response:
        return RedirectResponse("/console/", status_code=308)

    async def config_json(request: Request) -> Response:
        return JSONResponse(config, headers={"cache-control": "no-cache"})

    routes: list[BaseRoute] = [
        Route("/console", to_console),
        Route("/console/config.json", config_json, methods=["GET"]),
    ]
    if settings.dev_tokens_active:
        routes += _dev_routes(settings)
    routes.append(Mount("/console", app=ConsoleFiles(settings), name="console"))
    return routes
