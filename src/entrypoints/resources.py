"""The hot-path resources of the original contract: registering a webhook and triggering one."""
from __future__ import annotations

from typing import Any

import falcon
import orjson

from ..domain.model import HookSettings, is_userid, utc_now
from ..domain.payload import TRIGGER_HEADERS, TriggerRequest
from ..domain.service import Registration, WebhookService
from .bodies import BodyReader, read_object
from .http_errors import InvalidRequest
from .request_context import bearer_token, client_address
from .schemas import (
    RESERVED_REGISTER_FIELDS,
    SETTINGS_FIELDS,
    RegisterRequestSchema,
    RegisterUseridSchema,
    TriggerResponseSchema,
)

#: The body types ``POST /webhook`` accepts: JSON, and the form that ``curl -d`` sends.
REGISTER_MEDIA_TYPES = (falcon.MEDIA_JSON, falcon.MEDIA_URLENCODED)


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
        if len(body) == 1 and is_userid(body.get("userid")):
            # A userid alone, as most registrations are: the userid rule is all the schema would check
            # (the tests hold the two to it), so the schema's cost is spared on this hot path.
            registration = self._service.register(body["userid"], credential=bearer_token(req))
        else:
            registration = self._register_fields(req, body)
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

    def _register_fields(self, req: falcon.Request, body: dict[str, Any]) -> Registration:
        """Load ``body`` through its schema and register what it asks for."""
        # Settings are rare: a body without any is loaded by the userid part of the schema alone.
        schema = self._full_schema if RESERVED_REGISTER_FIELDS.intersection(body) - {"userid"} else self._userid_schema
        fields = schema.load(body)
        arguments = {name: value for name, value in fields.items() if name not in RESERVED_REGISTER_FIELDS}
        settings = HookSettings(**{name: fields[name] for name in SETTINGS_FIELDS if fields.get(name) is not None})
        return self._service.register(
            fields["userid"], arguments, settings,
            expires_in=fields.get("expires_in"),
            signature_scheme=fields.get("signature_scheme"),
            signing_secret=fields.get("signing_secret"),
            credential=bearer_token(req),
            handler=fields.get("handler"),
        )


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
