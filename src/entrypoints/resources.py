"""The HTTP resources: registering a webhook and triggering one."""
from __future__ import annotations

import io
from typing import Any

import falcon

from ..domain.service import WebhookService
from .http_errors import InvalidRequest
from .schemas import RegisterRequestSchema, TriggerResponseSchema

#: The body types ``POST /webhook`` accepts: JSON, and the form that ``curl -d`` sends.
REGISTER_MEDIA_TYPES = (falcon.MEDIA_JSON, falcon.MEDIA_URLENCODED)


class RegistrationResource:
    """``POST /webhook``: store a hook for a userid with its arguments; answer 200 with its id.

    Args:
        service: the webhook use cases.
        max_body_bytes: larger bodies are refused with 413 before they are read.
    """

    def __init__(self, service: WebhookService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes
        self._request_schema = RegisterRequestSchema()

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Register a webhook from a JSON or form body."""
        fields = self._request_schema.load(self._read_body(req))
        userid = fields.pop("userid")
        hook = self._service.register(userid, fields)
        resp.status = falcon.HTTP_200
        # The body follows RegisterResponseSchema (the tests check it); it is built directly because a
        # schema dump on this hot path would only copy two strings.
        resp.media = {"id": hook.id, "url": f"{req.prefix}/webhook/{hook.id}"}

    def _read_body(self, req: falcon.Request) -> dict[str, Any]:
        """Return the body as a dict of fields; refuse oversized, unsupported or non-object bodies."""
        media_type = (req.content_type or "").partition(";")[0].strip().lower()
        length = req.content_length
        if length is not None and length > self._max_body_bytes:
            raise self._too_large()
        chunked = length is None and "chunked" in (req.get_header("Transfer-Encoding") or "").lower()
        if media_type not in REGISTER_MEDIA_TYPES:
            if not media_type and not length and not chunked:
                return {}  # no body at all: the schema then names the missing userid
            raise falcon.HTTPUnsupportedMediaType(
                description=f"set Content-Type to one of: {', '.join(REGISTER_MEDIA_TYPES)}"
                if not media_type
                else f"{media_type} is not supported; send one of: {', '.join(REGISTER_MEDIA_TYPES)}"
            )
        if chunked:
            body = self._read_chunked(req, media_type)
        else:
            body = req.get_media(default_when_empty={})
        if not isinstance(body, dict):
            raise InvalidRequest("the body must be a JSON object", {"_body": ["must be a JSON object"]})
        return body

    def _read_chunked(self, req: falcon.Request, media_type: str) -> Any:
        """Read and parse a chunked body, refusing with 413 as soon as it passes the limit.

        Falcon's WSGI request takes a body without Content-Length as empty; gunicorn de-chunks the
        stream and ends it at the last chunk, so it is read from the raw stream, never past the limit.
        """
        raw = req.stream.read(self._max_body_bytes + 1)
        if len(raw) > self._max_body_bytes:
            raise self._too_large()
        if not raw:
            return {}
        return req.options.media_handlers[media_type].deserialize(io.BytesIO(raw), req.content_type, len(raw))

    def _too_large(self) -> falcon.HTTPContentTooLarge:
        """Return the 413 error for a body over the limit."""
        return falcon.HTTPContentTooLarge(description=f"the body may take at most {self._max_body_bytes} bytes")

class TriggerResource:
    """``GET|POST /webhook/{hook_id}``: run the handler on the stored hook; answer 201."""

    def __init__(self, service: WebhookService) -> None:
        self._service = service
        # The success answer never changes: encode it once through its schema.
        self._triggered = TriggerResponseSchema().dump({"message": "web hook triggered"})

    def on_get(self, req: falcon.Request, resp: falcon.Response, hook_id: str) -> None:
        """Trigger the hook ``hook_id``."""
        self._service.trigger(hook_id)
        resp.status = falcon.HTTP_201
        resp.media = self._triggered

    on_post = on_get
