"""Signed triggers: the Standard Webhooks and GitHub signature schemes, verified in constant time."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Mapping

from .errors import SignatureInvalid

STANDARD_WEBHOOKS = "standard-webhooks"
GITHUB = "github"
SCHEMES = (STANDARD_WEBHOOKS, GITHUB)

#: Standard Webhooks: a timestamp further than this from now (either way) is refused as stale.
TIMESTAMP_TOLERANCE_SECONDS = 5 * 60
_WHSEC_PREFIX = "whsec_"


def new_secret(scheme: str) -> str:
    """Return a fresh signing secret in the scheme's usual form (``whsec_<base64>`` or hex)."""
    if scheme == STANDARD_WEBHOOKS:
        return _WHSEC_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()
    return secrets.token_hex(32)


def check_secret(scheme: str, secret: str) -> str:
    """Return ``secret`` if the scheme can use it, else raise ``ValueError`` saying why."""
    if scheme == STANDARD_WEBHOOKS:
        _standard_key(secret)
    elif not 16 <= len(secret) <= 256:
        raise ValueError("a github secret must have 16 to 256 characters")
    return secret


def _standard_key(secret: str) -> bytes:
    """Decode a ``whsec_<base64>`` secret into the HMAC key."""
    if not secret.startswith(_WHSEC_PREFIX):
        raise ValueError("a standard-webhooks secret must look like whsec_<base64>")
    try:
        key = base64.b64decode(secret[len(_WHSEC_PREFIX):], validate=True)
    except binascii.Error:
        raise ValueError("a standard-webhooks secret must look like whsec_<base64>") from None
    if not 16 <= len(key) <= 64:
        raise ValueError("a standard-webhooks secret must hold 16 to 64 bytes")
    return key


def sign_standard(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``v1,<base64>`` signature of a Standard Webhooks message (for senders and tests)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_standard_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_github(secret: str, body: bytes) -> str:
    """Return the ``sha256=<hex>`` value of GitHub's X-Hub-Signature-256 header."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(scheme: str, secret: str, headers: Mapping[str, str], body: bytes, now: float) -> None:
    """Check the request's signature under ``scheme``; raise ``SignatureInvalid`` saying what is wrong.

    Args:
        headers: the request headers, names in lower case.
        body: the raw body, exactly as received.
        now: the current Unix time, for the Standard Webhooks timestamp tolerance.
    """
    if scheme == STANDARD_WEBHOOKS:
        _verify_standard(secret, headers, body, now)
    else:
        _verify_github(secret, headers, body)


def _verify_standard(secret: str, headers: Mapping[str, str], body: bytes, now: float) -> None:
    message_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (message_id and timestamp and signatures):
        raise SignatureInvalid("webhook-id, webhook-timestamp and webhook-signature headers are required")
    try:
        seconds = int(timestamp)
    except ValueError:
        raise SignatureInvalid("webhook-timestamp must be Unix seconds") from None
    if abs(now - seconds) > TIMESTAMP_TOLERANCE_SECONDS:
        raise SignatureInvalid("webhook-timestamp is too old or too far in the future")
    expected = sign_standard(secret, message_id, seconds, body).encode()
    # Several space-separated signatures may be sent (during a secret rotation); one match suffices,
    # and every candidate is compared so that the time taken does not depend on which one matched.
    matched = False
    for candidate in signatures.split():
        matched |= hmac.compare_digest(candidate.encode(), expected)
    if not matched:
        raise SignatureInvalid("no webhook-signature matches")


def _verify_github(secret: str, headers: Mapping[str, str], body: bytes) -> None:
    signature = headers.get("x-hub-signature-256")
    if not signature:
        raise SignatureInvalid("the X-Hub-Signature-256 header is required")
    if not hmac.compare_digest(signature.encode(), sign_github(secret, body).encode()):
        raise SignatureInvalid("X-Hub-Signature-256 does not match")
