"""The Webhook and the rules its values obey."""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from .errors import ArgumentsTooLarge, InvalidWebhook

#: A userid: 1 to 128 characters among letters, digits and ``. _ - @ +`` (safe in URLs, logs and keys).
USERID_MAX_LENGTH = 128
USERID_PATTERN = r"^[A-Za-z0-9._@+-]+$"

#: A hook id is 16 random bytes (128 bits) in URL-safe base64 without padding: 22 characters.
HOOK_ID_PATTERN = r"^[A-Za-z0-9_-]{22}$"
HOOK_ID_BYTES = 16

#: The arguments of a hook, encoded as compact JSON, may take at most this many bytes.
ARGUMENTS_MAX_BYTES = 16 * 1024

_USERID_RE = re.compile(USERID_PATTERN)
_HOOK_ID_RE = re.compile(HOOK_ID_PATTERN)


def new_hook_id() -> str:
    """Return a fresh, unguessable, URL-safe hook id (128 bits from the OS's CSPRNG)."""
    return secrets.token_urlsafe(HOOK_ID_BYTES)


def is_hook_id(value: str) -> bool:
    """Tell whether ``value`` has the shape of a hook id, so that a malformed one never reaches storage."""
    return _HOOK_ID_RE.match(value) is not None


def utc_now() -> datetime:
    """Return the current time in UTC; the service's default clock."""
    return datetime.now(timezone.utc)


def check_userid(userid: Any) -> str:
    """Return ``userid`` if it obeys the userid rule, else raise :class:`InvalidWebhook`."""
    if not isinstance(userid, str) or not userid:
        raise InvalidWebhook("userid", "must be a non-empty string")
    if len(userid) > USERID_MAX_LENGTH:
        raise InvalidWebhook("userid", f"must be at most {USERID_MAX_LENGTH} characters")
    if not _USERID_RE.match(userid):
        raise InvalidWebhook("userid", "may contain only letters, digits and . _ - @ +")
    return userid


def check_arguments(arguments: Any) -> dict[str, Any]:
    """Return ``arguments`` as a dict if they are a JSON object within the size limit, else raise.

    Raises:
        InvalidWebhook: not a JSON-serialisable mapping with string keys.
        ArgumentsTooLarge: their compact JSON encoding exceeds :data:`ARGUMENTS_MAX_BYTES`.
    """
    if not isinstance(arguments, Mapping):
        raise InvalidWebhook("arguments", "must be a JSON object")
    if not arguments:  # the common case (the seed registers a userid only) needs no encoding
        return {}
    try:
        encoded = json.dumps(arguments, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidWebhook("arguments", "must contain only JSON values") from exc
    if len(encoded.encode("utf-8")) > ARGUMENTS_MAX_BYTES:
        raise ArgumentsTooLarge("arguments", f"must encode to at most {ARGUMENTS_MAX_BYTES} bytes of JSON")
    return dict(arguments)


@dataclass(frozen=True)
class Webhook:
    """A registered webhook: who registered it, what it carries, and when it was made.

    Attributes:
        id: the unguessable id a trigger names it by.
        userid: the user the hook belongs to; handlers get it first-class.
        arguments: the further values given at registration, handed to the handler on each trigger.
        created_at: when it was registered (UTC).
    """

    id: str
    userid: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=utc_now)
