"""Management tokens and admin credentials: only hashes are kept, and every comparison is constant-time."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Iterable

#: Tokens the service issues: a recognisable prefix and 256 random bits.
TOKEN_PREFIX = "whr_"
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


def new_token() -> str:
    """Return a fresh management token (shown to its owner once, never stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Return the stored form of a token: SHA-256, URL-safe base64 without padding.

    A fast hash is enough: the tokens carry 256 random bits, so there is nothing to brute-force.
    """
    digest = hashlib.sha256(token.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_token_shaped(token: str) -> bool:
    """Tell whether ``token`` could be a credential at all (a cheap check before any hashing)."""
    return _TOKEN_RE.fullmatch(token) is not None


def token_matches(token: str, stored_hash: str) -> bool:
    """Compare a presented token with a stored hash in constant time."""
    return bool(stored_hash) and hmac.compare_digest(hash_token(token), stored_hash)


class AdminTokens:
    """The admin credentials, held as hashes.

    Args:
        hashes: the hashes of the admin tokens (see :func:`hash_token`).
    """

    def __init__(self, hashes: Iterable[str] = ()) -> None:
        self._hashes = tuple(hashes)

    def match(self, token: str) -> bool:
        """Tell whether ``token`` is an admin token; compares against every hash, in constant time each."""
        presented = hash_token(token)
        matched = False
        for stored in self._hashes:
            matched |= hmac.compare_digest(presented, stored)
        return matched
