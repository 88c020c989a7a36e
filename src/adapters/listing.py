"""The per-user index's entries: each names a hook and sorts by creation time, so a listing is a range.

An entry is ``<creation time in µs, 20 digits>.<hook id>``; all entries share one score, so Redis
orders them lexicographically (ZRANGEBYLEX), which is creation order with the id breaking ties. A
page's cursor is the last entry it showed.
"""
from __future__ import annotations

import re

from ..domain.model import Webhook

_ENTRY_RE = re.compile(r"^[0-9]{20}\.[A-Za-z0-9_-]{22}$")


def index_entry(hook: Webhook) -> str:
    """Return the hook's entry in its user's index."""
    return f"{int(hook.created_at.timestamp() * 1_000_000):020d}.{hook.id}"


def hook_id_of(entry: str) -> str:
    """Return the hook id an index entry names."""
    return entry[21:]


def check_cursor(cursor: str) -> str:
    """Return ``cursor`` if it is an index entry (as every cursor is); raise ``ValueError`` otherwise."""
    if not _ENTRY_RE.fullmatch(cursor):
        raise ValueError(f"not a cursor: {cursor[:64]!r}")
    return cursor

