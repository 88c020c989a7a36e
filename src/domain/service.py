"""The use cases: register a webhook, trigger a webhook."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from .errors import HandlerFailed, WebhookIdTaken, WebhookNotFound
from .model import Webhook, check_arguments, check_userid, is_hook_id, new_hook_id, utc_now
from .ports import WebhookHandler, WebhookRepository

#: How many fresh ids register tries before giving up; with 128-bit ids a second try is already
#: astronomically unlikely, so reaching the limit means the id source is broken.
_REGISTER_ATTEMPTS = 3


class WebhookService:
    """Registers webhooks in a repository and runs the handler when one is triggered.

    Args:
        repository: where hooks are stored.
        handler: what runs on each trigger.
        new_id: source of hook ids (replaceable in tests; the default is unguessable).
        clock: source of the registration time.
    """

    def __init__(
        self,
        repository: WebhookRepository,
        handler: WebhookHandler,
        new_id: Callable[[], str] = new_hook_id,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._handler = handler
        self._new_id = new_id
        self._clock = clock

    def register(self, userid: str, arguments: Mapping[str, Any] | None = None) -> Webhook:
        """Store a new webhook for ``userid`` with ``arguments`` and return it.

        Raises:
            InvalidWebhook: the userid or the arguments break their rules.
            StorageUnavailable: the repository failed; the hook may not be stored.
            WebhookIdTaken: every id tried was taken (a broken id source).
        """
        hook_userid = check_userid(userid)
        hook_arguments = check_arguments({} if arguments is None else arguments)
        created_at = self._clock()
        attempts_left = _REGISTER_ATTEMPTS
        while True:
            hook = Webhook(self._new_id(), hook_userid, hook_arguments, created_at)
            try:
                self._repository.add(hook)
                return hook
            except WebhookIdTaken:
                attempts_left -= 1
                if attempts_left == 0:
                    raise

    def trigger(self, hook_id: str) -> Webhook:
        """Load the hook stored under ``hook_id``, run the handler on it and return it.

        Raises:
            WebhookNotFound: no hook has this id, or the id is malformed (storage is then not asked).
            StorageUnavailable: the repository failed.
            HandlerFailed: the handler raised; the original exception is its cause.
        """
        if not is_hook_id(hook_id):
            raise WebhookNotFound(hook_id)
        hook = self._repository.get(hook_id)
        if hook is None:
            raise WebhookNotFound(hook_id)
        try:
            self._handler.handle(hook)
        except Exception as exc:
            raise HandlerFailed(str(exc)) from exc
        return hook
