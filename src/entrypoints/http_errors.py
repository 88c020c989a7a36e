"""How errors become HTTP answers: one JSON body shape (RFC 9457 problem details) for every error."""
from __future__ import annotations

import logging
import math
from typing import Any

import falcon
import orjson
from marshmallow import ValidationError

from ..domain.errors import (
    ArgumentsTooLarge,
    Forbidden,
    HandlerFailed,
    InvalidPayload,
    InvalidWebhook,
    MethodNotAllowed,
    RateLimited,
    SignatureInvalid,
    StorageUnavailable,
    Unauthorized,
    WebhookNotFound,
)

logger = logging.getLogger("webhook_register")

PROBLEM_JSON = "application/problem+json"


class InvalidRequest(falcon.HTTPBadRequest):
    """A 400 that also carries per-field messages, shown as the ``errors`` member of the body."""

    def __init__(self, description: str, errors: dict[str, list[str]]) -> None:
        super().__init__(title="Invalid request", description=description)
        self.errors = errors


def serialize_problem(req: falcon.Request, resp: falcon.Response, exception: falcon.HTTPError) -> None:
    """Write ``exception`` as problem details JSON, whatever the client's Accept header says."""
    title = exception.title.removeprefix(f"{exception.status_code} ")  # Falcon's default titles repeat it
    body: dict[str, Any] = {"title": title, "status": exception.status_code, "detail": exception.description or title}
    errors = getattr(exception, "errors", None)
    if errors:
        body["errors"] = errors
    resp.content_type = PROBLEM_JSON
    resp.data = orjson.dumps(body)


def _on_validation_error(req, resp, exc: ValidationError, params) -> None:
    """A request body that breaks its schema: 400 naming each field and what is wrong with it."""
    messages = exc.messages if isinstance(exc.messages, dict) else {"_body": exc.messages}
    errors = {field: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for field, msgs in messages.items()}
    summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
    raise InvalidRequest(f"invalid request: {summary}", errors)


def _on_invalid_webhook(req, resp, exc: InvalidWebhook, params) -> None:
    """A value the domain refused: 413 when it is too large, 400 otherwise."""
    if isinstance(exc, ArgumentsTooLarge):
        raise falcon.HTTPContentTooLarge(description=f"{exc.field} {exc.message}")
    raise InvalidRequest(f"invalid request: {exc.field}: {exc.message}", {exc.field: [exc.message]})


def _on_not_found(req, resp, exc: WebhookNotFound, params) -> None:
    """Unknown or malformed hook id: 404 (the id is not echoed back)."""
    raise falcon.HTTPNotFound(description="webhook id not found")


def _on_unauthorized(req, resp, exc: Unauthorized, params) -> None:
    """No usable credential: 401 with the Bearer challenge."""
    raise falcon.HTTPUnauthorized(description=str(exc), challenges=["Bearer"])


def _on_forbidden(req, resp, exc: Forbidden, params) -> None:
    """A valid credential without the right, or a refused address: 403."""
    raise falcon.HTTPForbidden(description=str(exc))


def _on_method_not_allowed(req, resp, exc: MethodNotAllowed, params) -> None:
    """A method this hook does not accept: 405 with the ones it does."""
    raise falcon.HTTPMethodNotAllowed(list(exc.allowed), description=f"this hook accepts {', '.join(exc.allowed)}")


def _on_signature_invalid(req, resp, exc: SignatureInvalid, params) -> None:
    """A signed hook triggered without a valid, fresh signature: 401; no handler ran."""
    raise falcon.HTTPUnauthorized(description=f"signature check failed: {exc}")


def _on_rate_limited(req, resp, exc: RateLimited, params) -> None:
    """Over the hook's rate limit: 429 with Retry-After in whole seconds."""
    raise falcon.HTTPTooManyRequests(
        description="this hook's rate limit is reached", retry_after=max(1, math.ceil(exc.retry_after))
    )


def _on_invalid_payload(req, resp, exc: InvalidPayload, params) -> None:
    """A trigger body that does not parse as its declared type: 400."""
    raise InvalidRequest(str(exc), {"_body": [str(exc)]})


def _on_storage_unavailable(req, resp, exc: StorageUnavailable, params) -> None:
    """Redis failed or timed out: 500 at once; the next request tries Redis again."""
    logger.warning("storage unavailable on %s %s: %s", req.method, req.path, exc)
    raise falcon.HTTPInternalServerError(description="storage unavailable; try again later")


def _on_handler_failed(req, resp, exc: HandlerFailed, params) -> None:
    """The handler raised: 500; its traceback goes to the server log, not to the client."""
    logger.error("handler failed on %s %s", req.method, req.path, exc_info=exc.__cause__ or exc)
    raise falcon.HTTPInternalServerError(description="the webhook handler failed")


def _on_unexpected(req, resp, exc: Exception, params) -> None:
    """Anything else: 500 without a traceback in the answer, with one in the server log."""
    logger.error("unexpected error on %s %s", req.method, req.path, exc_info=exc)
    raise falcon.HTTPInternalServerError(description="internal error")


def install_error_handlers(app: falcon.App) -> None:
    """Register the mapping from exceptions to HTTP answers on ``app``, once for every route."""
    app.set_error_serializer(serialize_problem)
    # Falcon picks the handler of the most specific class, so the order here does not matter.
    app.add_error_handler(Exception, _on_unexpected)
    app.add_error_handler(ValidationError, _on_validation_error)
    app.add_error_handler(InvalidWebhook, _on_invalid_webhook)
    app.add_error_handler(WebhookNotFound, _on_not_found)
    app.add_error_handler(StorageUnavailable, _on_storage_unavailable)
    app.add_error_handler(HandlerFailed, _on_handler_failed)
    app.add_error_handler(Unauthorized, _on_unauthorized)
    app.add_error_handler(Forbidden, _on_forbidden)
    app.add_error_handler(MethodNotAllowed, _on_method_not_allowed)
    app.add_error_handler(SignatureInvalid, _on_signature_invalid)
    app.add_error_handler(RateLimited, _on_rate_limited)
    app.add_error_handler(InvalidPayload, _on_invalid_payload)
