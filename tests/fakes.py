"""Hand-written fakes of the ports for tests: they subclass the ports, so they keep their promises."""
from __future__ import annotations

from webhook_register.adapters.memory_repository import InMemoryWebhookRepository
from webhook_register.domain.errors import StorageUnavailable
from webhook_register.domain.payload import TriggerEvent
from webhook_register.domain.ports import WebhookHandler


class RecordingHandler(WebhookHandler):
    """Remembers every event it was asked to handle."""

    def __init__(self) -> None:
        self.events: list[TriggerEvent] = []

    def handle(self, event: TriggerEvent) -> None:
        self.events.append(event)

    @property
    def userids(self) -> list[str]:
        """The userid of each handled event's hook, in order."""
        return [event.hook.userid for event in self.events]


class FailingHandler(WebhookHandler):
    """Raises on every trigger, as a broken user handler would."""

    def handle(self, event: TriggerEvent) -> None:
        raise RuntimeError("handler exploded")


class SpyRepository(InMemoryWebhookRepository):
    """An in-memory repository that records which hook ids storage was asked about."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get(self, hook_id):
        self.asked.append(hook_id)
        return super().get(hook_id)

    def admit(self, hook_id, default_rate_limit):
        self.asked.append(hook_id)
        return super().admit(hook_id, default_rate_limit)


class UnavailableRepository(InMemoryWebhookRepository):
    """Storage that is down: every call fails as the Redis adapter does when Redis is unreachable."""

    def _down(self, *args, **kwargs):
        raise StorageUnavailable("down")

    add = get = replace = delete = list_by_user = admit = remember_delivery = forget_delivery = _down
