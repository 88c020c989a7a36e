"""Hand-written fakes of the ports for tests: they subclass the ports, so they keep their promises."""
from __future__ import annotations

from webhook_register.adapters.memory_repository import InMemoryWebhookRepository
from webhook_register.domain.errors import StorageUnavailable
from webhook_register.domain.model import Webhook
from webhook_register.domain.ports import WebhookHandler, WebhookRepository


class RecordingHandler(WebhookHandler):
    """Remembers every hook it was asked to handle."""

    def __init__(self) -> None:
        self.handled: list[Webhook] = []

    def handle(self, hook: Webhook) -> None:
        self.handled.append(hook)


class FailingHandler(WebhookHandler):
    """Raises on every trigger, as a broken user handler would."""

    def handle(self, hook: Webhook) -> None:
        raise RuntimeError("handler exploded")


class SpyRepository(InMemoryWebhookRepository):
    """An in-memory repository that counts how often storage is asked for a hook."""

    def __init__(self) -> None:
        super().__init__()
        self.gets: list[str] = []

    def get(self, hook_id: str) -> Webhook | None:
        self.gets.append(hook_id)
        return super().get(hook_id)


class UnavailableRepository(WebhookRepository):
    """Storage that is down: every call fails as the Redis adapter does when Redis is unreachable."""

    def add(self, hook: Webhook) -> None:
        raise StorageUnavailable("down")

    def get(self, hook_id: str) -> Webhook | None:
        raise StorageUnavailable("down")
