"""The Webhook, its settings, and the rules their values obey."""
from __future__ import annotations

import ipaddress
import json
import re
import secrets
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from .errors import ArgumentsTooLarge, InvalidWebhook

#: A userid: 1 to 128 characters among letters, digits and ``. _ - @ +`` (safe in URLs, logs and keys).
USERID_MAX_LENGTH = 128
USERID_PATTERN = r"^[A-Za-z0-9._@+-]+$"

#: A hook id is 16 random bytes (128 bits) in URL-safe base64 without padding: 22 characters.
HOOK_ID_PATTERN = r"^[A-Za-z0-9_-]{22}$"
HOOK_ID_BYTES = 16

#: The arguments of a hook: at most this many, with names of at most this length, and their compact
#: JSON encoding at most this many bytes.
ARGUMENTS_MAX_COUNT = 64
ARGUMENT_NAME_MAX_LENGTH = 128
ARGUMENTS_MAX_BYTES = 16 * 1024

#: How deeply JSON values (arguments, trigger bodies) may nest; deeper ones are refused, not a crash.
JSON_MAX_DEPTH = 64

#: The HTTP methods a hook may accept for triggers, and those it accepts unless told otherwise.
TRIGGER_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DEFAULT_METHODS = ("GET", "POST")

#: Bounds of the per-hook settings.
RATE_LIMIT_MAX = 1_000_000  # triggers per minute; 0 means unlimited
NETWORKS_MAX_COUNT = 32
EXPIRES_IN_MAX = 10 * 365 * 24 * 3600  # seconds
TARGET_URL_MAX_LENGTH = 2048

_USERID_RE = re.compile(USERID_PATTERN)
_HOOK_ID_RE = re.compile(HOOK_ID_PATTERN)


def new_hook_id() -> str:
    """Return a fresh, unguessable, URL-safe hook id (128 bits from the OS's CSPRNG)."""
    return secrets.token_urlsafe(HOOK_ID_BYTES)


def is_hook_id(value: str) -> bool:
    """Tell whether ``value`` has the shape of a hook id, so that a malformed one never reaches storage."""
    return _HOOK_ID_RE.fullmatch(value) is not None


def utc_now() -> datetime:
    """Return the current time in UTC; the service's default clock."""
    return datetime.now(timezone.utc)


def nests_deeper_than(value: Any, limit: int = JSON_MAX_DEPTH) -> bool:
    """Tell whether a JSON value nests lists and objects more than ``limit`` levels deep.

    Iterative, so that even a hostile depth costs no recursion.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def is_userid(value: Any) -> bool:
    """Whether ``value`` obeys the userid rule (a non-empty string of at most USERID_MAX_LENGTH allowed
    characters)."""
    return (isinstance(value, str) and 0 < len(value) <= USERID_MAX_LENGTH
            and _USERID_RE.fullmatch(value) is not None)


def check_userid(userid: Any) -> str:
    """Return ``userid`` if it obeys the userid rule, else raise :class:`InvalidWebhook`."""
    if not isinstance(userid, str) or not userid:
        raise InvalidWebhook("userid", "must be a non-empty string")
    if len(userid) > USERID_MAX_LENGTH:
        raise InvalidWebhook("userid", f"must be at most {USERID_MAX_LENGTH} characters")
    if not _USERID_RE.fullmatch(userid):
        raise InvalidWebhook("userid", "may contain only letters, digits and . _ - @ +")
    return userid


def check_arguments(arguments: Any) -> dict[str, Any]:
    """Return ``arguments`` as a dict if they are a JSON object within the limits, else raise.

    Raises:
        InvalidWebhook: not a JSON-serialisable mapping, too many of them, or a name too long.
        ArgumentsTooLarge: their compact JSON encoding exceeds :data:`ARGUMENTS_MAX_BYTES`.
    """
    if not isinstance(arguments, Mapping):
        raise InvalidWebhook("arguments", "must be a JSON object")
    if not arguments:  # the common case (the seed registers a userid only) needs no encoding
        return {}
    if len(arguments) > ARGUMENTS_MAX_COUNT:
        raise InvalidWebhook("arguments", f"may hold at most {ARGUMENTS_MAX_COUNT} names")
    if any(not isinstance(name, str) or len(name) > ARGUMENT_NAME_MAX_LENGTH for name in arguments):
        raise InvalidWebhook("arguments", f"names must be strings of at most {ARGUMENT_NAME_MAX_LENGTH} characters")
    if nests_deeper_than(arguments):
        raise InvalidWebhook("arguments", f"may nest at most {JSON_MAX_DEPTH} levels deep")
    try:
        encoded = json.dumps(arguments, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidWebhook("arguments", "must contain only JSON values") from exc
    if len(encoded.encode("utf-8")) > ARGUMENTS_MAX_BYTES:
        raise ArgumentsTooLarge("arguments", f"must encode to at most {ARGUMENTS_MAX_BYTES} bytes of JSON")
    return dict(arguments)


def check_methods(methods: Iterable[str]) -> tuple[str, ...]:
    """Return the methods, upper-cased, deduplicated and ordered, if each may trigger a hook."""
    chosen = {str(method).upper() for method in methods}
    if not chosen or not chosen <= set(TRIGGER_METHODS):
        raise InvalidWebhook("methods", f"must be a non-empty subset of {', '.join(TRIGGER_METHODS)}")
    return tuple(method for method in TRIGGER_METHODS if method in chosen)


def check_rate_limit(rate_limit: Any) -> int | None:
    """Return the per-minute trigger limit (None: the service default; 0: unlimited) if it is valid."""
    if rate_limit is None:
        return None
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or not 0 <= rate_limit <= RATE_LIMIT_MAX:
        raise InvalidWebhook("rate_limit", f"must be an integer from 0 (unlimited) to {RATE_LIMIT_MAX}")
    return rate_limit


def check_networks(networks: Iterable[str]) -> tuple[str, ...]:
    """Return the allowed client networks in canonical CIDR form, or raise naming the bad one."""
    canonical = []
    for network in networks:
        try:
            canonical.append(str(ipaddress.ip_network(str(network), strict=False)))
        except ValueError:
            raise InvalidWebhook("allowed_networks", f"{str(network)[:64]!r} is not an IP network") from None
    if len(canonical) > NETWORKS_MAX_COUNT:
        raise InvalidWebhook("allowed_networks", f"may hold at most {NETWORKS_MAX_COUNT} networks")
    return tuple(dict.fromkeys(canonical))


def check_expires_in(expires_in: Any) -> int | None:
    """Return the lifetime in seconds (None: forever) if it is a positive integer within bounds."""
    if expires_in is None:
        return None
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or not 1 <= expires_in <= EXPIRES_IN_MAX:
        raise InvalidWebhook("expires_in", f"must be an integer number of seconds from 1 to {EXPIRES_IN_MAX}")
    return expires_in


def check_target_url(url: Any) -> str | None:
    """Return the URL the http handler forwards to (None: none) if it is an absolute http(s) URL.

    Whether its host is a safe destination is decided when delivering, by the address it resolves to.
    """
    if url is None:
        return None
    if not isinstance(url, str) or len(url) > TARGET_URL_MAX_LENGTH or any(c.isspace() for c in url):
        raise InvalidWebhook("target_url", f"must be a URL of at most {TARGET_URL_MAX_LENGTH} characters")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise InvalidWebhook("target_url", "is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidWebhook("target_url", "must be an absolute http or https URL")
    return url


@dataclass(frozen=True)
class HookSettings:
    """What a hook's owner may change after registration, besides its arguments.

    Attributes:
        enabled: a disabled hook answers triggers as if it did not exist.
        methods: the HTTP methods that trigger it.
        rate_limit: triggers per minute (None: the service default; 0: unlimited).
        allowed_networks: CIDRs a trigger must come from (empty: anywhere).
        target_url: where the ``http`` handler forwards the hook's events.
    """

    enabled: bool = True
    methods: tuple[str, ...] = DEFAULT_METHODS
    rate_limit: int | None = None
    allowed_networks: tuple[str, ...] = ()
    target_url: str | None = None

    def checked(self) -> "HookSettings":
        """Return these settings in canonical form, or raise ``InvalidWebhook`` naming the bad one."""
        if self == _DEFAULT_SETTINGS:  # most hooks keep the defaults, already canonical
            return self
        if not isinstance(self.enabled, bool):
            raise InvalidWebhook("enabled", "must be true or false")
        return HookSettings(
            enabled=self.enabled,
            methods=check_methods(self.methods),
            rate_limit=check_rate_limit(self.rate_limit),
            allowed_networks=check_networks(self.allowed_networks),
            target_url=check_target_url(self.target_url),
        )


_DEFAULT_SETTINGS = HookSettings()


@dataclass(frozen=True)
class Webhook:
    """A registered webhook: who registered it, what it carries, how it may be triggered.

    Attributes:
        id: the unguessable id a trigger names it by.
        userid: the user the hook belongs to; handlers get it first-class.
        arguments: the further values given at registration, handed to the handler on each trigger.
        created_at: when it was registered (UTC).
        settings: what its owner may change (enabled, methods, rate limit, networks).
        signature_scheme: ``standard-webhooks`` or ``github`` when triggers must be signed, else None.
        expires_at: when it stops existing (None: never).
        token_hash: the hash of its management token (never the token itself).
        signing_secret: the secret triggers are signed with; kept out of every view and log.
        handler: the handler its events go to when not the configured default (e.g. ``http``).
        delivery_secret: the secret the ``http`` handler signs its deliveries with; kept out of views.
    """

    id: str
    userid: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=utc_now)
    settings: HookSettings = HookSettings()
    signature_scheme: str | None = None
    expires_at: datetime | None = None
    token_hash: str = field(default="", repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    handler: str | None = None
    delivery_secret: str | None = field(default=None, repr=False)
