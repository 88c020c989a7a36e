"""The OpenAPI 3 document of the HTTP API, generated from the same marshmallow schemas the API uses."""
from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .. import __doc__ as package_doc
from .schemas import (
    DeadLetterQuerySchema,
    ErrorSchema,
    HistoryPageSchema,
    HistoryQuerySchema,
    HookPageSchema,
    HookViewSchema,
    ListQuerySchema,
    RegisterRequestSchema,
    RegisterResponseSchema,
    TriggerResponseSchema,
    UpdateRequestSchema,
)

VERSION = "0.1.0"

_ERRORS = {
    400: "The request is invalid; `detail` and `errors` say what to fix.",
    401: "No usable bearer token (or, on a trigger, no valid signature).",
    403: "The token lacks the right, or the caller's address is not allowed.",
    404: "No such webhook (or not one this token may see).",
    405: "The method is not allowed here; see the Allow header.",
    413: "The body is too large.",
    415: "The Content-Type is not supported here.",
    429: "The hook's rate limit is reached; see Retry-After.",
    500: "The service failed (storage unavailable, or the handler failed).",
    503: "Not ready: Redis does not answer.",
}


#: Every answer carries the request id; some errors carry a header that says what to do next.
_REQUEST_ID = {"X-Request-ID": {"description": "The request's id (the caller's, when safe, else a new one).",
                                "schema": {"type": "string"}}}
_ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"description": "The scheme to authenticate with: Bearer.", "schema": {"type": "string"}}},
    405: {"Allow": {"description": "The methods this resource (or hook) accepts.", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds until the hook's rate-limit window ends.",
                          "schema": {"type": "integer"}}},
}


def _errors(*statuses: int) -> dict[str, Any]:
    """Error responses, all with the one problem-details body."""
    return {
        str(status): {"description": _ERRORS[status],
                      "headers": {**_REQUEST_ID, **_ERROR_HEADERS.get(status, {})},
                      "content": {"application/problem+json": {"schema": "Error"}}}
        for status in statuses
    }


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "headers": _REQUEST_ID,
            "content": {"application/json": {"schema": schema}}}


_HOOK_ID = {"name": "hook_id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
_BEARER = [{"bearer": []}]


def build_openapi(queue_routes: bool = True, metrics_route: bool = True) -> dict[str, Any]:
    """Return the OpenAPI 3.0 document (a dict) of every route the app serves."""
    spec = APISpec(title="webhook-register", version=VERSION, openapi_version="3.0.3",
                   info={"description": (package_doc or "").strip()}, plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in [("Error", ErrorSchema), ("RegisterRequest", RegisterRequestSchema),
                         ("RegisterResponse", RegisterResponseSchema), ("TriggerResponse", TriggerResponseSchema),
                         ("HookView", HookViewSchema), ("HookPage", HookPageSchema), ("UpdateRequest", UpdateRequestSchema),
                         ("HistoryPage", HistoryPageSchema)]:
        spec.components.schema(name, schema=schema)
    spec.components.schemas["RegisterRequest"]["additionalProperties"] = True  # further fields are arguments

    spec.path(path="/webhook", operations={"post": {
        "operationId": "register",
        "summary": "Register a webhook",
        "description": "Fields other than the settings are stored as the hook's arguments.",
        "requestBody": {"required": False, "content": {
            "application/json": {"schema": "RegisterRequest"},
            "application/x-www-form-urlencoded": {"schema": "RegisterRequest"}}},
        "responses": {"200": {**_json("RegisterResponse", "Registered; the token (and secrets) are shown once."),
                              # Stateful testing follows these: register, then trigger the new hook.
                              "links": {f"Trigger{method.title()}": {"operationId": f"trigger_{method}",
                                                                     "parameters": {"hook_id": "$response.body#/id"}}
                                        for method in ("get", "post")}},
                      **_errors(400, 401, 403, 413, 415, 500)},
    }})
    trigger = {
        "summary": "Trigger the webhook",
        "parameters": [_HOOK_ID],
        "requestBody": {"required": False, "content": {"*/*": {"schema": {}}}},
        "responses": {"201": _json("TriggerResponse", "Triggered (handled, or queued in queue mode)."),
                      "200": _json("TriggerResponse", "A duplicate delivery; not handled again."),
                      **_errors(400, 401, 403, 404, 405, 413, 429, 500)},
    }
    spec.path(path="/webhook/{hook_id}", operations={
        method: {**trigger, "operationId": f"trigger_{method}"} for method in ("get", "post", "put", "patch", "delete")})
    spec.path(path="/webhooks", operations={"get": {
        "summary": "List a user's webhooks (admins)", "security": _BEARER,
        "parameters": [{"in": "query", "schema": ListQuerySchema}],
        "responses": {"200": _json("HookPage", "One page, newest first."), **_errors(400, 401, 403, 500)},
    }})
    spec.path(path="/webhooks/{hook_id}", operations={
        "get": {"summary": "Read a webhook", "security": _BEARER, "parameters": [_HOOK_ID],
                "responses": {"200": _json("HookView", "The hook, without secrets."), **_errors(401, 404, 500)}},
        "patch": {"summary": "Change a webhook", "security": _BEARER, "parameters": [_HOOK_ID],
                  "requestBody": {"required": True, "content": {"application/json": {"schema": "UpdateRequest"}}},
                  "responses": {"200": _json("HookView", "The changed hook."),
                                **_errors(400, 401, 404, 413, 415, 500)}},
        "delete": {"summary": "Revoke a webhook", "security": _BEARER, "parameters": [_HOOK_ID],
                   "responses": {"204": {"description": "Revoked; triggers answer 404 from now on."},
                                 **_errors(401, 404, 500)}},
    })
    spec.path(path="/webhooks/{hook_id}/history", operations={"get": {
        "summary": "A webhook's recent triggers", "security": _BEARER,
        "parameters": [_HOOK_ID, {"in": "query", "schema": HistoryQuerySchema}],
        "responses": {"200": _json("HistoryPage", "Newest first."), **_errors(400, 401, 404, 500)},
    }})
    spec.path(path="/webhooks/{hook_id}/history/{event_id}/replay", operations={"post": {
        "summary": "Trigger a kept event again", "security": _BEARER,
        "parameters": [_HOOK_ID, {"name": "event_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"201": {"description": "Replayed and handled."}, "202": {"description": "Replayed, queued."},
                      **_errors(401, 404, 500)},
    }})
    if queue_routes:
        spec.path(path="/queue", operations={"get": {
            "summary": "Queue status (admins)", "security": _BEARER,
            "responses": {"200": {"description": "Dispatch mode, events waiting or in hand, dead letters."},
                          **_errors(401, 403, 500)}}})
        spec.path(path="/queue/dead-letters", operations={"get": {
            "summary": "The newest dead letters (admins)", "security": _BEARER,
            "parameters": [{"in": "query", "schema": DeadLetterQuerySchema}],
            "responses": {"200": {"description": "Dead letters with their events and last errors."},
                          **_errors(400, 401, 403, 500)}}})
        spec.path(path="/queue/dead-letters/{entry_id}/replay", operations={"post": {
            "summary": "Put a dead letter back in the queue (admins)", "security": _BEARER,
            "parameters": [{"name": "entry_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"202": {"description": "Queued again."}, **_errors(401, 403, 404, 500)}}})
    if metrics_route:
        spec.path(path="/metrics", operations={"get": {
            "summary": "Prometheus metrics (allowed networks only)",
            "responses": {"200": {"description": "The Prometheus text format.",
                                  "content": {"text/plain": {"schema": {"type": "string"}}}},
                          **_errors(403)}}})
    spec.path(path="/health", operations={"get": {
        "summary": "Liveness", "responses": {"200": {"description": "The process serves."}}}})
    spec.path(path="/ready", operations={"get": {
        "summary": "Readiness", "responses": {"200": {"description": "Redis answers."}, **_errors(503)}}})
    spec.path(path="/openapi.json", operations={"get": {
        "summary": "This document", "responses": {"200": {"description": "OpenAPI 3 JSON."}}}})
    spec.path(path="/docs", operations={"get": {
        "summary": "Human-readable API docs", "responses": {"200": {"description": "Swagger UI (HTML)."}}}})
    return spec.to_dict()
