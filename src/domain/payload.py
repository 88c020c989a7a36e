"""What a trigger carries: the caller's request, parsed into the event a handler receives."""
from __future__ import annotations

import base64
import json
import re
import secrets
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from .errors import InvalidPayload
from .model import JSON_MAX_DEPTH, Webhook, nests_deeper_than

#: An event id: the caller's X-Request-ID when it is this safe, else a fresh one (see ``new_event_id``).
EVENT_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"
_EVENT_ID_RE = re.compile(EVENT_ID_PATTERN)


def new_event_id() -> str:
    """Return a fresh event id (128 random bits, hex)."""
    return secrets.token_hex(16)


def is_event_id(value: str) -> bool:
    """Tell whether ``value`` may be an event id (safe in logs, headers and storage)."""
    return _EVENT_ID_RE.fullmatch(value) is not None


#: Request headers handed to the handler; everything else (cookies, authorization, signatures) is not.
FORWARDED_HEADERS = (
    "content-type",
    "user-agent",
    "idempotency-key",
    "webhook-id",
    "webhook-timestamp",
    "x-github-event",
    "x-github-delivery",
    "x-github-hook-id",
)

#: Every request header a trigger's checks or its event may use; no other header enters the domain.
TRIGGER_HEADERS = (*FORWARDED_HEADERS, "webhook-signature", "x-hub-signature-256")


@dataclass(frozen=True)
class TriggerRequest:
    """One trigger as it arrived, before any check.

    Attributes:
        hook_id: the id from the URL (not yet checked).
        method: the HTTP method, upper case.
        query: the query parameters (a list for a repeated name).
        headers: the request headers of :data:`TRIGGER_HEADERS` that were sent, names in lower case.
        body: the raw body, exactly as received (signatures cover these bytes).
        client_ip: the caller's address (after trusted proxies), or None if unknown.
        request_id: the id of this request (the caller's X-Request-ID, or a fresh one).
        received_at: when it arrived.
    """

    hook_id: str
    method: str
    query: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    client_ip: str | None = None
    request_id: str = ""
    received_at: datetime | None = None


@dataclass(frozen=True)
class TriggerEvent:
    """What a handler receives for one trigger.

    Attributes:
        id: the request id, which handlers can use to recognise a redelivery.
        hook: the triggered hook.
        method, query, headers: from the request (headers limited to :data:`FORWARDED_HEADERS`).
        body_kind: ``none``, ``json``, ``form``, ``text`` or ``base64`` (bytes that are not UTF-8).
        body: the body parsed by its kind.
        received_at: when the trigger arrived.
    """

    id: str
    hook: Webhook
    method: str
    query: Mapping[str, Any]
    headers: Mapping[str, str]
    body_kind: str
    body: Any
    received_at: datetime


def parse_body(content_type: str | None, body: bytes) -> tuple[str, Any]:
    """Return ``(kind, value)`` for a trigger body; any content type is accepted.

    JSON is parsed when declared as JSON (``application/json`` or ``…+json``), a form when declared as
    ``application/x-www-form-urlencoded``; anything else is text when it is UTF-8 and base64 otherwise.

    Raises:
        InvalidPayload: a body declared as JSON or form that does not parse as one.
    """
    if not body:
        return "none", None
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            value = json.loads(body)
        except ValueError as exc:
            raise InvalidPayload(f"the body is not valid JSON: {exc}") from None
        except RecursionError:
            raise InvalidPayload(f"the body's JSON nests more than {JSON_MAX_DEPTH} levels deep") from None
        if nests_deeper_than(value):
            raise InvalidPayload(f"the body's JSON nests more than {JSON_MAX_DEPTH} levels deep")
        return "json", value
    if media_type == "application/x-www-form-urlencoded":
        try:
            pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except ValueError as exc:
            raise InvalidPayload(f"the body is not a valid form: {exc}") from None
        form: dict[str, Any] = {}
        for name, value in pairs:  # a repeated name collects its values in a list
            if name not in form:
                form[name] = value
            elif isinstance(form[name], list):
                form[name].append(value)
            else:
                form[name] = [form[name], value]
        return "form", form
    try:
        return "text", body.decode("utf-8")
    except UnicodeDecodeError:
        return "base64", base64.b64encode(body).decode()


def forwarded_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return the headers a handler may see (never credentials or signatures)."""
    return {name: headers[name] for name in FORWARDED_HEADERS if name in headers}
