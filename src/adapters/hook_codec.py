"""The JSON document a webhook is stored as, shared by every adapter that writes or prints one.

The document is ``{"id": …, "userid": …, "arguments": {…}, "created": "<ISO 8601 UTC>"}``, compact UTF-8.
"""
from __future__ import annotations

from datetime import datetime

import orjson

from ..domain.model import Webhook


def encode_hook(hook: Webhook) -> bytes:
    """Return the stored JSON document of ``hook``."""
    return orjson.dumps(
        {"id": hook.id, "userid": hook.userid, "arguments": hook.arguments, "created": hook.created_at},
        option=orjson.OPT_UTC_Z,
    )


def decode_hook(document: bytes | str) -> Webhook:
    """Rebuild a hook from its stored JSON document.

    Raises:
        ValueError: the document is not a stored hook (orjson's decode error is a ValueError too).
    """
    value = orjson.loads(document)
    try:
        return Webhook(
            id=value["id"],
            userid=value["userid"],
            arguments=value["arguments"],
            created_at=datetime.fromisoformat(value["created"]),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a stored webhook document: {exc!r}") from exc
