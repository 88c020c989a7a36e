"""The use cases: register, read, update, delete and list webhooks, and trigger them."""
from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping

from . import signatures
from .errors import (
    Forbidden,
    HandlerFailed,
    InvalidPayload,
    InvalidWebhook,
    MethodNotAllowed,
    RateLimited,
    SignatureInvalid,
    StorageUnavailable,
    Unauthorized,
    WebhookIdTaken,
    WebhookNotFound,
)
from .model import (
    HookSettings,
    Webhook,
    check_arguments,
    check_expires_in,
    check_userid,
    is_hook_id,
    new_hook_id,
    utc_now,
)
from .dispatch import QueueingHandler
from .history import DEAD, DELIVERED, DUPLICATE, QUEUED, REJECTED, HistoryEntry, HistoryPage, TriggerHistory
from .payload import TriggerEvent, TriggerRequest, forwarded_headers, is_event_id, new_event_id, parse_body
from .ports import Page, WebhookHandler, WebhookRepository
from .tokens import AdminTokens, hash_token, is_token_shaped, new_token, token_matches

#: How many fresh ids register tries before giving up; with 128-bit ids a second try is already
#: astronomically unlikely, so reaching the limit means the id source is broken.
_REGISTER_ATTEMPTS = 3

#: The most hooks one page of a listing may hold.
PAGE_SIZE_MAX = 100

#: The handler that forwards a hook's events to its target_url; such hooks get a delivery secret.
HTTP_HANDLER = "http"


@dataclass(frozen=True)
class Policy:
    """The service-wide rules, from configuration.

    Attributes:
        admin_tokens: the admin credentials.
        register_requires_admin: when true, only an admin may register hooks.
        default_rate_limit: triggers per minute for hooks that set none (0: unlimited).
        replay_window_seconds: how long a delivery id (webhook-id, Idempotency-Key) is remembered.
        hook_handlers: the handlers a hook may choose at registration instead of the default.
        history_size: how many recent triggers each hook's history keeps (0: none).
    """

    admin_tokens: AdminTokens = dataclasses.field(default_factory=AdminTokens)
    register_requires_admin: bool = False
    default_rate_limit: int = 600
    replay_window_seconds: int = 24 * 3600
    hook_handlers: tuple[str, ...] = (HTTP_HANDLER,)
    history_size: int = 20


@dataclass(frozen=True)
class Registration:
    """A new hook and the secrets shown to its owner once: its management token, its signing secret
    (for signed triggers), its delivery secret (for the http handler's signatures)."""

    hook: Webhook
    token: str
    signing_secret: str | None
    delivery_secret: str | None = None


@dataclass(frozen=True)
class TriggerResult:
    """What became of a trigger: handled, or recognised as a duplicate and not handled again."""

    event: TriggerEvent
    duplicate: bool = False


class WebhookService:
    """The webhook use cases, on a repository and a handler.

    Args:
        repository: where hooks are stored.
        handler: what runs on each trigger.
        policy: the service-wide rules (admin tokens, default rate limit, replay window).
        new_id: source of hook ids (replaceable in tests; the default is unguessable).
        clock: source of the current time.
        history: where each hook's recent triggers are kept (None: no history).
    """

    def __init__(
        self,
        repository: WebhookRepository,
        handler: WebhookHandler,
        policy: Policy | None = None,
        new_id: Callable[[], str] = new_hook_id,
        clock: Callable[[], datetime] = utc_now,
        history: TriggerHistory | None = None,
    ) -> None:
        self._history = history
        self._repository = repository
        self._handler = handler
        self._policy = policy or Policy()
        self._new_id = new_id
        self._clock = clock

    # -- registration and management ------------------------------------------------------------

    def register(
        self,
        userid: str,
        arguments: Mapping[str, Any] | None = None,
        settings: HookSettings | None = None,
        expires_in: int | None = None,
        signature_scheme: str | None = None,
        signing_secret: str | None = None,
        credential: str | None = None,
        handler: str | None = None,
    ) -> Registration:
        """Store a new webhook and return it with its management token (and signing secret).

        Raises:
            Unauthorized / Forbidden: registering needs an admin token and none / another was given.
            InvalidWebhook: a value breaks its rule (the field is named).
            StorageUnavailable: the repository failed; the hook may not be stored.
            WebhookIdTaken: every id tried was taken (a broken id source).
        """
        if self._policy.register_requires_admin:
            self.require_admin(credential)
        hook_userid = check_userid(userid)
        hook_arguments = check_arguments({} if arguments is None else arguments)
        hook_settings = (settings or HookSettings()).checked()
        lifetime = check_expires_in(expires_in)
        secret = self._signing_secret(signature_scheme, signing_secret)
        delivery_secret = self._delivery_secret(handler, hook_settings)
        token = new_token()
        created_at = self._clock()
        expires_at = created_at + timedelta(seconds=lifetime) if lifetime else None
        attempts_left = _REGISTER_ATTEMPTS
        while True:
            hook = Webhook(
                self._new_id(), hook_userid, hook_arguments, created_at, hook_settings,
                signature_scheme, expires_at, hash_token(token), secret, handler, delivery_secret,
            )
            try:
                self._repository.add(hook, lifetime)
                return Registration(hook, token, secret, delivery_secret)
            except WebhookIdTaken:
                attempts_left -= 1
                if attempts_left == 0:
                    raise

    @staticmethod
    def _signing_secret(scheme: str | None, secret: str | None) -> str | None:
        """Return the secret a signed hook will use: the one supplied (checked) or a fresh one."""
        if scheme is None:
            if secret is not None:
                raise InvalidWebhook("signing_secret", "needs a signature_scheme")
            return None
        if scheme not in signatures.SCHEMES:
            raise InvalidWebhook("signature_scheme", f"must be one of: {', '.join(signatures.SCHEMES)}")
        if secret is None:
            return signatures.new_secret(scheme)
        try:
            return signatures.check_secret(scheme, secret)
        except ValueError as exc:
            raise InvalidWebhook("signing_secret", str(exc)) from None

    def _delivery_secret(self, handler: str | None, settings: HookSettings) -> str | None:
        """Check a hook's own handler choice; return a fresh delivery secret when it is ``http``."""
        if handler is None:
            return None
        if handler not in self._policy.hook_handlers:
            allowed = ", ".join(self._policy.hook_handlers) or "none"
            raise InvalidWebhook("handler", f"a hook may choose only: {allowed}")
        if handler != HTTP_HANDLER:
            return None
        if not settings.target_url:
            raise InvalidWebhook("target_url", "is required by the http handler")
        return signatures.new_secret(signatures.STANDARD_WEBHOOKS)

    def read(self, hook_id: str, credential: str | None) -> Webhook:
        """Return the hook, to its owner (its token) or an admin.

        Raises:
            Unauthorized: no credential, or not one at all.
            WebhookNotFound: no such hook, or the credential is not its owner's (its existence stays secret).
        """
        return self._authorized_hook(hook_id, credential)

    def update(
        self,
        hook_id: str,
        credential: str | None,
        arguments: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> Webhook:
        """Replace the hook's arguments and/or change some of its settings; return the updated hook.

        Raises:
            Unauthorized, WebhookNotFound: as for :meth:`read`; also when it vanished meanwhile.
            InvalidWebhook: a new value breaks its rule.
        """
        hook = self._authorized_hook(hook_id, credential)
        changes: dict[str, Any] = {}
        if arguments is not None:
            changes["arguments"] = check_arguments(arguments)
        if settings:
            unknown = set(settings) - {f.name for f in dataclasses.fields(HookSettings)}
            if unknown:
                raise InvalidWebhook(sorted(unknown)[0], "is not a setting")
            changes["settings"] = dataclasses.replace(hook.settings, **settings).checked()
        updated = dataclasses.replace(hook, **changes)
        if updated.handler == HTTP_HANDLER and not updated.settings.target_url:
            raise InvalidWebhook("target_url", "is required by the http handler")
        if changes and not self._repository.replace(updated):
            raise WebhookNotFound(hook_id)
        return updated

    def delete(self, hook_id: str, credential: str | None) -> None:
        """Revoke the hook: from now on triggers answer not found.

        Raises:
            Unauthorized, WebhookNotFound: as for :meth:`read`.
        """
        hook = self._authorized_hook(hook_id, credential)
        if not self._repository.delete(hook):
            raise WebhookNotFound(hook_id)
        if self._history is not None:
            self._history.forget(hook.id)

    def list_hooks(self, userid: str, credential: str | None, limit: int, cursor: str | None = None) -> Page:
        """Return a page of the user's hooks, newest first; only an admin may list.

        Raises:
            Unauthorized / Forbidden: no admin credential.
            InvalidWebhook: a bad userid, limit or cursor.
        """
        self.require_admin(credential)
        check_userid(userid)
        if not 1 <= limit <= PAGE_SIZE_MAX:
            raise InvalidWebhook("limit", f"must be from 1 to {PAGE_SIZE_MAX}")
        try:
            return self._repository.list_by_user(userid, limit, cursor)
        except ValueError:
            raise InvalidWebhook("cursor", "is not a cursor from a previous page") from None

    def require_admin(self, credential: str | None) -> None:
        """Raise ``Unauthorized`` (no credential) or ``Forbidden`` (not an admin's) unless ``credential``
        is an admin token."""
        if credential is None or not is_token_shaped(credential):
            raise Unauthorized("an admin token is required")
        if not self._policy.admin_tokens.match(credential):
            raise Forbidden("this needs an admin token")

    def _authorized_hook(self, hook_id: str, credential: str | None) -> Webhook:
        """Load the hook for its owner or an admin; anyone else learns nothing of its existence."""
        if credential is None or not is_token_shaped(credential):
            raise Unauthorized("a bearer token is required")
        if not is_hook_id(hook_id):
            raise WebhookNotFound(hook_id)
        hook = self._repository.get(hook_id)
        if hook is None:
            raise WebhookNotFound(hook_id)
        if not (token_matches(credential, hook.token_hash) or self._policy.admin_tokens.match(credential)):
            raise WebhookNotFound(hook_id)
        return hook

    # -- triggers ---------------------------------------------------------------------------------

    def trigger(self, request: TriggerRequest) -> TriggerResult:
        """Check one trigger against its hook and run the handler on its event.

        The checks run in this order, each refusing with its own error: the hook exists and is
        enabled, the method is allowed, the caller's address is allowed, the rate limit, the
        signature, the body; then a delivery seen before (``webhook-id``, ``Idempotency-Key``) is
        answered as a duplicate without running the handler again. The hook's history records what
        became of the trigger (a missing hook has no history).

        Raises:
            WebhookNotFound: no such hook (or malformed id, or disabled); storage is not asked for a malformed id.
            MethodNotAllowed, Forbidden, RateLimited, SignatureInvalid, InvalidPayload: as above.
            StorageUnavailable: the repository (or the queue) failed.
            HandlerFailed: the handler raised; the original exception is its cause.
        """
        if not is_hook_id(request.hook_id):
            raise WebhookNotFound(request.hook_id)
        admission = self._repository.admit(request.hook_id, self._policy.default_rate_limit)
        if admission is None or not admission.hook.settings.enabled:
            raise WebhookNotFound(request.hook_id)
        hook = admission.hook
        now = request.received_at or self._clock()
        # The history entry (with the body's SHA-256) is made only when history is kept; its outcome is
        # filled in when known.
        entry = (HistoryEntry(request.request_id, now, request.method, len(request.body),
                              hashlib.sha256(request.body).hexdigest() if request.body else "", REJECTED)
                 if self._keeps_history else None)
        try:
            self._check(hook, request, admission.retry_after, now)
            body_kind, body = parse_body(request.headers.get("content-type"), request.body)
        except (MethodNotAllowed, Forbidden, RateLimited, SignatureInvalid, InvalidPayload) as exc:
            self._remember(hook, entry, None, last_error=str(exc))
            raise
        event = TriggerEvent(
            id=request.request_id, hook=hook, method=request.method, query=request.query,
            headers=forwarded_headers(request.headers), body_kind=body_kind, body=body, received_at=now,
        )
        delivery = self._delivery_key(hook, request.headers)
        if delivery and not self._repository.remember_delivery(hook.id, delivery,
                                                               self._policy.replay_window_seconds):
            self._remember(hook, entry, None, outcome=DUPLICATE)
            return TriggerResult(event, duplicate=True)
        return self._dispatch(hook, event, entry, delivery)

    def _check(self, hook: Webhook, request: TriggerRequest, retry_after: float, now: datetime) -> None:
        """Refuse a trigger its hook does not accept: method, address, rate, signature."""
        if request.method not in hook.settings.methods:
            raise MethodNotAllowed(hook.settings.methods)
        if hook.settings.allowed_networks and not _address_allowed(request.client_ip, hook.settings.allowed_networks):
            raise Forbidden("triggers from this address are not allowed")
        if retry_after:
            raise RateLimited(retry_after)
        if hook.signature_scheme:
            signatures.verify(hook.signature_scheme, hook.signing_secret or "", request.headers, request.body,
                              now.timestamp())

    def _dispatch(self, hook: Webhook, event: TriggerEvent, entry: HistoryEntry | None,
                  delivery: str | None) -> TriggerResult:
        """Run the handler (or queue the event) and record the outcome in the hook's history."""
        started = time.perf_counter()
        try:
            self._handler.handle(event)
        except Exception as exc:
            if delivery:  # let the sender's retry of this delivery run the handler again
                self._repository.forget_delivery(hook.id, delivery)
            if isinstance(exc, StorageUnavailable):  # e.g. the queue of the queue dispatch mode
                raise
            self._remember(hook, entry, event, outcome=DEAD, attempts=1,
                           last_error=f"{type(exc).__name__}: {exc}"[:1000], handler_ms=_ms_since(started))
            raise HandlerFailed(str(exc)) from exc
        if self.queues_events:
            self._remember(hook, entry, event, outcome=QUEUED)
        else:
            self._remember(hook, entry, event, outcome=DELIVERED, attempts=1, handler_ms=_ms_since(started))
        return TriggerResult(event)

    @property
    def _keeps_history(self) -> bool:
        return self._history is not None and self._policy.history_size > 0

    def _remember(self, hook: Webhook, entry: HistoryEntry | None, event: TriggerEvent | None,
                  **outcome: Any) -> None:
        """Record a trigger in the hook's history with its ``outcome`` fields (no entry: history is off)."""
        if entry is not None and self._keeps_history:
            self._history.record(hook.id, dataclasses.replace(entry, **outcome), event, self._policy.history_size)

    # -- history ---------------------------------------------------------------------------------

    @property
    def queues_events(self) -> bool:
        """Whether triggers are queued for workers (the queue dispatch mode) rather than handled at once."""
        return isinstance(self._handler, QueueingHandler)

    def history(self, hook_id: str, credential: str | None, limit: int, cursor: str | None = None) -> HistoryPage:
        """Return a page of the hook's recent triggers, newest first, to its owner or an admin.

        Raises:
            Unauthorized, WebhookNotFound: as for :meth:`read`.
            InvalidWebhook: a bad limit or cursor.
        """
        hook = self._authorized_hook(hook_id, credential)
        if not 1 <= limit <= PAGE_SIZE_MAX:
            raise InvalidWebhook("limit", f"must be from 1 to {PAGE_SIZE_MAX}")
        if self._history is None:
            return HistoryPage([], None)
        try:
            return self._history.page(hook.id, limit, cursor)
        except ValueError:
            raise InvalidWebhook("cursor", "is not a cursor from a previous page") from None

    def replay(self, hook_id: str, event_id: str, credential: str | None) -> TriggerResult:
        """Trigger a past event of the hook again, as a new event (its own id, now), through the
        configured dispatch; its history entry names the event it replays.

        Raises:
            Unauthorized, WebhookNotFound: as for :meth:`read`; also when the event is not kept.
            StorageUnavailable, HandlerFailed: as for :meth:`trigger`.
        """
        hook = self._authorized_hook(hook_id, credential)
        kept = self._history.replayable(hook.id, event_id) if self._history and is_event_id(event_id) else None
        if kept is None:
            raise WebhookNotFound(event_id)
        past_entry, past_event = kept
        now = self._clock()
        event = dataclasses.replace(past_event, id=new_event_id(), hook=hook, received_at=now)
        entry = dataclasses.replace(past_entry, event_id=event.id, received_at=now, outcome=QUEUED, attempts=0,
                                    last_error="", handler_ms=0.0, replay_of=event_id)
        return self._dispatch(hook, event, entry, None)

    @staticmethod
    def _delivery_key(hook: Webhook, headers: Mapping[str, str]) -> str | None:
        """Return a digest naming this delivery (safe to use in a storage key), or None."""
        delivery_id = headers.get("idempotency-key")
        if hook.signature_scheme == signatures.STANDARD_WEBHOOKS:
            delivery_id = headers.get("webhook-id") or delivery_id
        if not delivery_id:
            return None
        return hashlib.sha256(delivery_id.encode("utf-8", "surrogateescape")).hexdigest()


def _ms_since(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading)."""
    return round((time.perf_counter() - started) * 1000, 3)


def _address_allowed(client_ip: str | None, networks: tuple[str, ...]) -> bool:
    """Tell whether ``client_ip`` lies in one of ``networks``; an unknown address is refused."""
    if not client_ip:
        return False
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in networks)
