"""Reading request bodies whole, within a size limit, chunked or not."""
from __future__ import annotations

import io
from typing import Any

import falcon

from .http_errors import InvalidRequest

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
