"""The HTTP resources: registering and triggering webhooks, and managing them."""
from __future__ import annotations

import dataclasses
import io
from typing import Any, Callable

import falcon
import orjson

from ..adapters.hook_codec import encode_event, public_hook
from ..domain.dispatch import DeadLetter, QueueAdmin
from ..domain.errors import StorageUnavailable
from ..domain.model import HookSettings, utc_now
from ..domain.payload import TRIGGER_HEADERS, TriggerRequest
from ..domain.service import WebhookService
from .http_errors import InvalidRequest
from .request_context import bearer_token, client_address
from .schemas import (
    RESERVED_REGISTER_FIELDS,
    SETTINGS_FIELDS,
    DeadLetterQuerySchema,
    HistoryQuerySchema,
    ListQuerySchema,
    RegisterRequestSchema,
    RegisterUseridSchema,
    TriggerResponseSchema,
    UpdateRequestSchema,
)

#: The body types ``POST /webhook`` accepts: JSON, and the form that ``curl -d`` sends.
REGISTER_MEDIA_TYPES = (falcon.MEDIA_JSON, falcon.MEDIA_URLENCODED)


class BodyReader:
    """Reads request bodies whole, refusing with 413 those over a limit, before or while reading.

    Falcon's WSGI request takes a body without Content-Length as empty; a chunked body (which the
    server de-chunks and terminates) is read from the raw stream instead, never past the limit.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def check_length(self, req: falcon.Request) -> bool:
        """Refuse a declared length over the limit; return whether the body is chunked."""
        length = req.content_length
        if length is not None and length > self.max_bytes:
            raise self._too_large()
        return length is None and "chunked" in (req.get_header("Transfer-Encoding") or "").lower()

    def raw(self, req: falcon.Request) -> bytes:
        """Return the whole body as bytes."""
        if self.check_length(req):
            return self.read_chunked(req)
        return req.bounded_stream.read()

    def read_chunked(self, req: falcon.Request) -> bytes:
        """Read a chunked body up to the limit."""
        raw = req.stream.read(self.max_bytes + 1)
        if len(raw) > self.max_bytes:
            raise self._too_large()
        return raw

    def _too_large(self) -> falcon.HTTPContentTooLarge:
        return falcon.HTTPContentTooLarge(description=f"the body may take at most {self.max_bytes} bytes")


def read_object(req: falcon.Request, reader: BodyReader, media_types: tuple[str, ...]) -> dict[str, Any]:
    """Return a JSON or form body as a dict; refuse oversized, unsupported or non-object bodies."""
    media_type = (req.content_type or "").partition(";")[0].strip().lower()
    chunked = reader.check_length(req)
    if media_type not in media_types:
        if not media_type and not req.content_length and not chunked:
            return {}  # no body at all: the schema then names what is missing
        raise falcon.HTTPUnsupportedMediaType(
            description=f"set Content-Type to one of: {', '.join(media_types)}"
            if not media_type
            else f"{media_type} is not supported; send one of: {', '.join(media_types)}"
        )
    if chunked:
        raw = reader.read_chunked(req)
        body = (req.options.media_handlers[media_type].deserialize(io.BytesIO(raw), req.content_type, len(raw))
                if raw else {})
    else:
        body = req.get_media(default_when_empty={})
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object", {"_body": ["must be a JSON object"]})
    return body


class RegistrationResource:
    """``POST /webhook``: store a hook for a userid with its arguments; answer 200 with its id and token."""

    def __init__(self, service: WebhookService, max_body_bytes: int) -> None:
        self._service = service
        self._reader = BodyReader(max_body_bytes)
        self._full_schema = RegisterRequestSchema()
        self._userid_schema = RegisterUseridSchema()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Register a webhook from a JSON or form body."""
        body = read_object(req, self._reader, REGISTER_MEDIA_TYPES)
        # Settings are rare: a body without any is loaded by the userid part of the schema alone.
        schema = self._full_schema if RESERVED_REGISTER_FIELDS.intersection(body) - {"userid"} else self._userid_schema
        fields = schema.load(body)
        arguments = {name: value for name, value in fields.items() if name not in RESERVED_REGISTER_FIELDS}
        settings = HookSettings(**{name: fields[name] for name in SETTINGS_FIELDS if fields.get(name) is not None})
        registration = self._service.register(
            fields["userid"], arguments, settings,
            expires_in=fields.get("expires_in"),
            signature_scheme=fields.get("signature_scheme"),
            signing_secret=fields.get("signing_secret"),
            credential=bearer_token(req),
            handler=fields.get("handler"),
        )
        hook = registration.hook
        # The body follows RegisterResponseSchema (the tests check it); it is built directly because a
        # schema dump on this hot path would only copy strings.
        answer: dict[str, Any] = {"id": hook.id, "url": f"{req.prefix}/webhook/{hook.id}", "token": registration.token}
        if registration.signing_secret:
            answer["signing_secret"] = registration.signing_secret
        if registration.delivery_secret:
            answer["delivery_secret"] = registration.delivery_secret
        if hook.expires_at:
            answer["expires"] = hook.expires_at
        resp.status = falcon.HTTP_200
        resp.media = answer


class TriggerResource:
    """``GET|POST|PUT|PATCH|DELETE /webhook/{hook_id}``: run the handler on the event; answer 201.

    Args:
        service: the webhook use cases.
        max_body_bytes: larger trigger bodies are refused with 413 before they are read.
        max_query_params: more query parameters are refused with 400.
        trusted_proxies: networks whose X-Forwarded-For is believed.
    """

    def __init__(self, service: WebhookService, max_body_bytes: int, max_query_params: int,
                 trusted_proxies: tuple = ()) -> None:
        self._service = service
        self._reader = BodyReader(max_body_bytes)
        self._max_query_params = max_query_params
        self._trusted_proxies = trusted_proxies
        # The success answers never change: build them once through their schema, encoded once.
        schema = TriggerResponseSchema()
        self._triggered = orjson.dumps(schema.dump({"message": "web hook triggered"}))
        self._duplicate = orjson.dumps(schema.dump({"message": "duplicate delivery; already handled", "duplicate": True}))

    def on_get(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Trigger the hook ``hook_id`` (every trigger method lands here)."""
        query = req.params
        if len(query) > self._max_query_params:
            raise InvalidRequest(f"at most {self._max_query_params} query parameters are allowed",
                                 {"_query": ["too many parameters"]})
        result = self._service.trigger(TriggerRequest(
            hook_id=hook_id,
            method=req.method,
            query=query,
            headers=_trigger_headers(req.env),
            body=self._reader.raw(req) if req.method != "GET" else b"",
            client_ip=client_address(req, self._trusted_proxies),
            request_id=req.context.request_id,
            received_at=utc_now(),
        ))
        resp.content_type = falcon.MEDIA_JSON
        if result.duplicate:
            resp.status = falcon.HTTP_200
            resp.data = self._duplicate
        else:
            resp.status = falcon.HTTP_201
            resp.data = self._triggered

    on_post = on_put = on_patch = on_delete = on_get


#: The WSGI environ key of each header a trigger may use (Content-Type has no HTTP_ prefix).
_TRIGGER_HEADER_KEYS = tuple(
    (name, "CONTENT_TYPE" if name == "content-type" else "HTTP_" + name.upper().replace("-", "_"))
    for name in TRIGGER_HEADERS
)


def _trigger_headers(env: dict[str, Any]) -> dict[str, str]:
    """Return the headers a trigger may use, by lower-case name, straight from the WSGI environ."""
    return {name: env[key] for name, key in _TRIGGER_HEADER_KEYS if env.get(key)}


class HookResource:
    """``GET|PATCH|DELETE /webhooks/{hook_id}``: read, change or revoke a hook (its token, or an admin)."""

    def __init__(self, service: WebhookService, max_body_bytes: int) -> None:
        self._service = service
        self._reader = BodyReader(max_body_bytes)
        self._update_schema = UpdateRequestSchema()

    def on_get(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Answer the hook's view (no secrets)."""
        resp.media = public_hook(self._service.read(hook_id, bearer_token(req)))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Change the arguments and/or settings named in the JSON body; answer the new view."""
        credential = bearer_token(req)
        changes = self._update_schema.load(read_object(req, self._reader, (falcon.MEDIA_JSON,)))
        arguments = changes.pop("arguments", None)
        hook = self._service.update(hook_id, credential, arguments=arguments, settings=changes)
        resp.media = public_hook(hook)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Revoke the hook; triggers answer 404 from now on."""
        self._service.delete(hook_id, bearer_token(req))
        resp.status = falcon.HTTP_204


class HookCollectionResource:
    """``GET /webhooks?userid=…``: a user's hooks, newest first, a page at a time (admins only)."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service
        self._query_schema = ListQuerySchema()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer one page and the cursor of the next."""
        credential = bearer_token(req)
        self._service.require_admin(credential)  # before the query: strangers learn nothing, not even 400s
        query = self._query_schema.load(req.params)
        page = self._service.list_hooks(query["userid"], credential, query["limit"], query.get("cursor"))
        resp.media = {"hooks": [public_hook(hook) for hook in page.hooks], "next_cursor": page.next_cursor}


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


class HistoryResource:
    """``GET /webhooks/{hook_id}/history``: the hook's recent triggers, newest first (its token, or admin)."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service
        self._query_schema = HistoryQuerySchema()

    def on_get(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Answer one page and the cursor of the next."""
        query = self._query_schema.load(req.params)  # a malformed query tells nothing about the hook
        page = self._service.history(hook_id, bearer_token(req), query["limit"], query.get("cursor"))
        resp.media = {"entries": [dataclasses.asdict(entry) for entry in page.entries], "next_cursor": page.next_cursor}


class ReplayResource:
    """``POST /webhooks/{hook_id}/history/{event_id}/replay``: trigger a kept event again, as a new event."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response, hook_id: str, event_id: str) -> None:
        """Replay it; 201 when handled (inline), 202 when queued."""
        result = self._service.replay(hook_id, event_id, bearer_token(req))
        resp.status = falcon.HTTP_202 if self._service.queues_events else falcon.HTTP_201
        resp.media = {"event_id": result.event.id, "replay_of": event_id}


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
