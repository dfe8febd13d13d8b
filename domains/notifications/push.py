"""Senders the worker delivers through: FCM via firebase-admin, or the development sink.

The worker owns retries (durable, with backoff, jitter and ``Retry-After``), so the SDK's own
in-request retries of 500/503 are switched off: they would hold a whole batch for seconds and hide
attempts from the per-token record.
"""

import contextvars
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import firebase_admin
from firebase_admin import exceptions, messaging
from firebase_admin._http_client import HttpxAsyncClient
from firebase_admin._retry import HttpxRetry

logger = logging.getLogger("xuthanh.notifications.push")

FCM_BATCH_LIMIT = 500
DEVELOPMENT_SINK = "development-sink"
FCM = "fcm"

# Errors worth another try later; every other failure is final for that token.
RETRYABLE = {
    "QUOTA_EXCEEDED",
    exceptions.UNAVAILABLE,
    exceptions.INTERNAL,
    exceptions.DEADLINE_EXCEEDED,
    exceptions.RESOURCE_EXHAUSTED,
    exceptions.UNKNOWN,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one message."""

    ok: bool
    code: str | None = None
    message: str | None = None
    retry_after: float | None = None

    @property
    def retryable(self) -> bool:
        return not self.ok and self.code in RETRYABLE

    @property
    def unregistered(self) -> bool:
        """FCM will never deliver to this token again: it was unregistered, or it is not a
        token at all (INVALID_ARGUMENT naming the registration token, as FCM answers fake
        tokens; an INVALID_ARGUMENT about the message itself keeps the device)."""
        if self.code == "UNREGISTERED":
            return True
        return self.code == "INVALID_ARGUMENT" and "registration token" in (self.message or "")


OnSent = Callable[[str, str], None]  # (notification id from the message's data, token)
# The batch being sent: send_each_async runs each request in a task that inherits this context.
_on_sent: contextvars.ContextVar[OnSent | None] = contextvars.ContextVar("on_sent", default=None)


class Sender(Protocol):
    channel: str
    success_state: str

    async def send(
        self, messages: Sequence[messaging.Message], on_sent: OnSent | None = None
    ) -> list[Outcome]: ...

    async def close(self) -> None: ...


def _retry_after(error: exceptions.FirebaseError) -> float | None:
    response = error.http_response
    header = response.headers.get("Retry-After") if response is not None else None
    if header is None:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        return None  # an HTTP date: rare from FCM; the backoff applies instead


def outcome_of_error(error: BaseException | None) -> Outcome:
    if error is None:
        return Outcome(ok=True)
    if not isinstance(error, exceptions.FirebaseError):
        return Outcome(ok=False, code=exceptions.UNKNOWN, message=type(error).__name__)
    if isinstance(error, messaging.UnregisteredError):
        code = "UNREGISTERED"
    elif isinstance(error, messaging.QuotaExceededError):
        code = "QUOTA_EXCEEDED"
    elif isinstance(error, messaging.SenderIdMismatchError):
        code = "SENDER_ID_MISMATCH"
    elif isinstance(error, messaging.ThirdPartyAuthError):
        code = "THIRD_PARTY_AUTH_ERROR"
    else:
        code = str(error.code)
    # FCM's messages describe the request, never the payload's content; keep them short.
    return Outcome(ok=False, code=code, message=str(error)[:300], retry_after=_retry_after(error))


def redirect(app: firebase_admin.App, endpoint: str) -> None:
    """Send this app's FCM traffic to ``endpoint`` (a local FCM v1 server; never in production).

    firebase-admin has no base-URL option: these two attributes are the seam (checked by a test).
    """
    service = messaging._get_messaging_service(app)
    base = endpoint.rstrip("/")
    service._fcm_url = f"{base}/v1/projects/{app.project_id}/messages:send"
    service._fcm_topic_url = f"{base}/v1/projects/{app.project_id}/registrations"


class ReportingClient(HttpxAsyncClient):  # type: ignore[misc]
    """The SDK's HTTP client, reporting each accepted message as soon as FCM answers.

    ``send_each_async`` returns only when all of its messages are answered; recording each
    success at once keeps a crashed worker from sending a message FCM already took.
    """

    async def request(self, method: str, url: str, **kwargs: Any) -> Any:
        response = await super().request(method, url, **kwargs)
        on_sent = _on_sent.get()
        if on_sent is not None:
            message = kwargs.get("json", {}).get("message", {})
            token = message.get("token")
            if token:
                on_sent(str(message.get("data", {}).get("nid", "")), token)
        return response


class FcmSender:
    """Delivers through firebase-admin's ``send_each_async`` (one HTTP request per message)."""

    channel = FCM
    success_state = "sent"

    def __init__(
        self,
        app: firebase_admin.App,
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """``timeout``: seconds per FCM request (the SDK's default otherwise); keep it well
        under the worker's lease, or a slow answer outlives the claim and is sent again."""
        self.app = app
        if endpoint:
            redirect(app, endpoint)
        service: Any = messaging._get_messaging_service(app)
        self._unused_client = service._async_client
        service._async_client = ReportingClient(
            credential=service._credential,
            retry_config=HttpxRetry(max_retries=0),
            timeout=timeout if timeout is not None else service._async_client.timeout,
        )
        self._client: HttpxAsyncClient = service._async_client

    async def send(
        self, messages: Sequence[messaging.Message], on_sent: OnSent | None = None
    ) -> list[Outcome]:
        _on_sent.set(on_sent)
        outcomes: list[Outcome] = []
        for start in range(0, len(messages), FCM_BATCH_LIMIT):
            chunk = list(messages[start : start + FCM_BATCH_LIMIT])
            try:
                response = await messaging.send_each_async(chunk, app=self.app)
            except exceptions.FirebaseError as error:
                # The whole call failed (e.g. the network): every message may be retried.
                outcomes.extend([outcome_of_error(error)] * len(chunk))
                continue
            outcomes.extend(outcome_of_error(item.exception) for item in response.responses)
        return outcomes

    async def close(self) -> None:
        """Close the HTTP clients on the loop that used them (they are bound to it)."""
        await self._client.aclose()
        await self._unused_client.aclose()


class DevelopmentSink:
    """Without Firebase credentials in development: records and logs, reaches no phone."""

    channel = DEVELOPMENT_SINK
    success_state = "sink"

    def __init__(self) -> None:
        self.recorded = 0

    async def send(
        self, messages: Sequence[messaging.Message], on_sent: OnSent | None = None
    ) -> list[Outcome]:
        self.recorded += len(messages)
        logger.warning(
            "DEVELOPMENT SINK: %d push messages recorded, NOT delivered to any device "
            "(no Firebase credentials; set FIREBASE_CREDENTIALS_FILE to deliver)",
            len(messages),
        )
        return [Outcome(ok=True)] * len(messages)

    async def close(self) -> None:
        return None
