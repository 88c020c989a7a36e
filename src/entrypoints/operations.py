"""The operators' resources: the queue and its dead letters, liveness and readiness."""
from __future__ import annotations

from typing import Any, Callable

import falcon
import orjson

from ..adapters.hook_codec import encode_event
from ..domain.dispatch import DeadLetter, QueueAdmin
from ..domain.errors import StorageUnavailable
from .request_context import bearer_token
from .schemas import DeadLetterQuerySchema

def dead_letter_view(letter: DeadLetter) -> dict[str, Any]:
    """A dead letter as the API and the CLI show it."""
    return {"id": letter.entry_id, "attempts": letter.attempts, "error": letter.last_error,
            "event": orjson.loads(encode_event(letter.event))}


class QueueResource:
    """``GET /queue``: the dispatch mode, the events waiting or in hand, the dead letters (admins only)."""

    def __init__(self, admin: QueueAdmin, mode: str) -> None:
        self._admin = admin
        self._mode = mode

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer the queue's status."""
        depth, dead = self._admin.status(bearer_token(req))
        resp.media = {"mode": self._mode, "depth": depth, "dead_letters": dead}


class DeadLettersResource:
    """``GET /queue/dead-letters?limit=N``: the newest dead letters (admins only)."""

    def __init__(self, admin: QueueAdmin) -> None:
        self._admin = admin

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer the newest dead letters, with their events and last errors."""
        credential = bearer_token(req)
        self._admin.authorize(credential)  # credentials before the query: strangers learn nothing
        limit = DeadLetterQuerySchema().load(req.params)["limit"]
        resp.media = {"dead_letters": [dead_letter_view(letter) for letter in self._admin.dead_letters(credential, limit)]}


class DeadLetterReplayResource:
    """``POST /queue/dead-letters/{entry_id}/replay``: put a dead letter back in the queue (admins only)."""

    def __init__(self, admin: QueueAdmin) -> None:
        self._admin = admin

    def on_post(self, req: falcon.Request, resp: falcon.Response, entry_id: str) -> None:
        """Replay it as a first attempt; 202 once queued."""
        self._admin.replay(bearer_token(req), entry_id)
        resp.status = falcon.HTTP_202
        resp.media = {"replayed": entry_id}


class HealthResource:
    """``GET /health``: the process is alive and serving (no I/O), for liveness probes."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer 200 at once."""
        resp.media = {"status": "ok"}


class ReadinessResource:
    """``GET /ready``: Redis answers within a short timeout (200), or not (503 with the reason), for
    load balancers and orchestrators."""

    def __init__(self, probe: Callable[[], None]) -> None:
        self._probe = probe

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Ask Redis; answer 200 when it answers."""
        try:
            self._probe()
        except StorageUnavailable as exc:
            raise falcon.HTTPServiceUnavailable(description=f"not ready: {exc}") from None
        resp.media = {"status": "ready"}
