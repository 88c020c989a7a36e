"""The JSON documents of a webhook: the stored one (with its secrets) and the public one (without).

Stored: ``{"userid", "arguments", "created", "token_sha256"}`` (the id is the key's), plus only the
settings that differ from their defaults (``enabled``, ``methods``, ``rate_limit``, ``allowed_networks``,
``target_url``) and, when set, ``signature_scheme``, ``signing_secret``, ``expires``, ``handler`` and
``delivery_secret``; compact UTF-8. The public view has every setting and no secret.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from ..domain.model import HookSettings, Webhook
from ..domain.payload import TriggerEvent

_DEFAULT_SETTINGS = HookSettings()


def encode_hook(hook: Webhook) -> bytes:
    """Return the stored JSON document of ``hook``."""
    document: dict[str, Any] = {
        "userid": hook.userid,
        "arguments": hook.arguments,
        "created": hook.created_at,
        "token_sha256": hook.token_hash,
    }
    settings = hook.settings
    if settings != _DEFAULT_SETTINGS:  # defaults are left out: most hooks stay small in Redis
        if not settings.enabled:
            document["enabled"] = False
        if settings.methods != _DEFAULT_SETTINGS.methods:
            document["methods"] = settings.methods
        if settings.rate_limit is not None:
            document["rate_limit"] = settings.rate_limit
        if settings.allowed_networks:
            document["allowed_networks"] = settings.allowed_networks
        if settings.target_url:
            document["target_url"] = settings.target_url
    if hook.signature_scheme:
        document["signature_scheme"] = hook.signature_scheme
        document["signing_secret"] = hook.signing_secret
    if hook.expires_at:
        document["expires"] = hook.expires_at
    if hook.handler:
        document["handler"] = hook.handler
        document["delivery_secret"] = hook.delivery_secret
    return orjson.dumps(document, option=orjson.OPT_UTC_Z)


def decode_hook(hook_id: str, document: bytes | str) -> Webhook:
    """Rebuild the hook ``hook_id`` from its stored JSON document.

    Raises:
        ValueError: the document is not a stored hook (orjson's decode error is a ValueError too).
    """
    value = orjson.loads(document)
    try:
        return Webhook(
            id=hook_id,
            userid=value["userid"],
            arguments=value["arguments"],
            created_at=datetime.fromisoformat(value["created"]),
            settings=HookSettings(
                enabled=value.get("enabled", True),
                methods=tuple(value.get("methods", _DEFAULT_SETTINGS.methods)),
                rate_limit=value.get("rate_limit"),
                allowed_networks=tuple(value.get("allowed_networks", ())),
                target_url=value.get("target_url"),
            ),
            signature_scheme=value.get("signature_scheme"),
            expires_at=datetime.fromisoformat(value["expires"]) if value.get("expires") else None,
            token_hash=value.get("token_sha256", ""),
            signing_secret=value.get("signing_secret"),
            handler=value.get("handler"),
            delivery_secret=value.get("delivery_secret"),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a stored webhook document: {exc!r}") from exc


def public_hook(hook: Webhook) -> dict[str, Any]:
    """Return what may be shown of a hook to its owner, an admin, a handler or a log: no secret."""
    return {
        "id": hook.id,
        "userid": hook.userid,
        "arguments": hook.arguments,
        "created": hook.created_at,
        "enabled": hook.settings.enabled,
        "methods": hook.settings.methods,
        "rate_limit": hook.settings.rate_limit,
        "allowed_networks": hook.settings.allowed_networks,
        "signature_scheme": hook.signature_scheme,
        "expires": hook.expires_at,
        "handler": hook.handler,
        "target_url": hook.settings.target_url,
    }


def encode_event(event: TriggerEvent) -> bytes:
    """Return a trigger event as one line of JSON (no newline), without any secret of the hook."""
    return orjson.dumps(
        {
            "event_id": event.id,
            "received": event.received_at,
            "method": event.method,
            "query": event.query,
            "headers": event.headers,
            "body_kind": event.body_kind,
            "body": event.body,
            "hook": public_hook(event.hook),
        },
        option=orjson.OPT_UTC_Z,
    )


def decode_event(document: bytes | str) -> TriggerEvent:
    """Rebuild a trigger event from :func:`encode_event`'s JSON (its hook without secrets, as printed).

    Raises:
        ValueError: the document is not an encoded event.
    """
    value = orjson.loads(document)
    try:
        view = value["hook"]
        hook = Webhook(
            id=view["id"],
            userid=view["userid"],
            arguments=view["arguments"],
            created_at=datetime.fromisoformat(view["created"]),
            settings=HookSettings(
                enabled=view["enabled"],
                methods=tuple(view["methods"]),
                rate_limit=view["rate_limit"],
                allowed_networks=tuple(view["allowed_networks"]),
                target_url=view["target_url"],
            ),
            signature_scheme=view["signature_scheme"],
            expires_at=datetime.fromisoformat(view["expires"]) if view["expires"] else None,
            handler=view["handler"],
        )
        return TriggerEvent(
            id=value["event_id"], hook=hook, method=value["method"], query=value["query"],
            headers=value["headers"], body_kind=value["body_kind"], body=value["body"],
            received_at=datetime.fromisoformat(value["received"]),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not an encoded event: {exc!r}") from exc
