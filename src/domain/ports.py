"""The ports: what the domain needs from storage and from whatever acts on a trigger."""
from __future__ import annotations

import abc
from dataclasses import dataclass

from .model import Webhook
from .payload import TriggerEvent


@dataclass(frozen=True)
class Admission:
    """The outcome of admitting one trigger: the hook, and whether its rate limit lets it through.

    Attributes:
        hook: the stored hook.
        retry_after: 0 when admitted, else the seconds until the hook's window ends.
    """

    hook: Webhook
    retry_after: float = 0.0


@dataclass(frozen=True)
class Page:
    """One page of a user's hooks, newest first.

    Attributes:
        hooks: the hooks on this page.
        next_cursor: pass it to get the next page; None on the last page.
    """

    hooks: list[Webhook]
    next_cursor: str | None


class WebhookRepository(abc.ABC):
    """Stores hooks by id, with a per-user index and per-hook trigger bookkeeping.

    Every id handed to a repository is well formed (see ``is_hook_id``), every userid checked. Every
    method raises ``StorageUnavailable`` when the storage fails.
    """

    @abc.abstractmethod
    def add(self, hook: Webhook, expires_in: int | None = None) -> None:
        """Store a new hook (gone after ``expires_in`` seconds when given) and index it under its user;
        never overwrite: raise ``WebhookIdTaken`` if its id is already stored."""

    @abc.abstractmethod
    def get(self, hook_id: str) -> Webhook | None:
        """Return the hook stored under ``hook_id``, or None if there is none (or it expired)."""

    @abc.abstractmethod
    def replace(self, hook: Webhook) -> bool:
        """Overwrite a stored hook, keeping its expiry; return False (storing nothing) if it is gone."""

    @abc.abstractmethod
    def delete(self, hook: Webhook) -> bool:
        """Remove a hook and its index entry; return whether it was there. Triggers see it gone at once."""

    @abc.abstractmethod
    def list_by_user(self, userid: str, limit: int, cursor: str | None = None) -> Page:
        """Return up to ``limit`` of the user's live hooks, newest first, from ``cursor`` on.

        Costs grow with the page, not with the number of hooks stored. Raises ``ValueError`` for a
        cursor this repository did not issue.
        """

    @abc.abstractmethod
    def admit(self, hook_id: str, default_rate_limit: int) -> Admission | None:
        """Load the hook for a trigger and count the trigger against its per-minute rate limit
        (its own, else ``default_rate_limit``; 0 means unlimited), atomically across processes.

        Returns None when no hook has this id.
        """

    @abc.abstractmethod
    def remember_delivery(self, hook_id: str, key: str, ttl_seconds: int) -> bool:
        """Record that the delivery ``key`` (a digest, safe as a key) of this hook was handled;
        return False if it already was within ``ttl_seconds``."""

    @abc.abstractmethod
    def forget_delivery(self, hook_id: str, key: str) -> None:
        """Undo :meth:`remember_delivery`, so that a delivery whose handler failed can be retried."""


class WebhookHandler(abc.ABC):
    """Acts on a triggered webhook (prints it, forwards it, runs user code)."""

    @abc.abstractmethod
    def handle(self, event: TriggerEvent) -> None:
        """Process one trigger; any exception counts as the handler failing."""

