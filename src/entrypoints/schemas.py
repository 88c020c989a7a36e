"""The JSON the HTTP API reads and writes, defined once as marshmallow schemas.

The request schemas carry every input rule (the domain checks them again, as the domain's own
invariants); the response schemas describe what the resources write, which the tests check.
"""
from __future__ import annotations

from marshmallow import INCLUDE, RAISE, Schema, fields, validate

from ..domain.model import (
    ARGUMENTS_MAX_COUNT,
    EXPIRES_IN_MAX,
    HOOK_ID_PATTERN,
    NETWORKS_MAX_COUNT,
    RATE_LIMIT_MAX,
    TARGET_URL_MAX_LENGTH,
    TRIGGER_METHODS,
    USERID_MAX_LENGTH,
    USERID_PATTERN,
)
from ..domain.service import PAGE_SIZE_MAX
from ..domain.signatures import SCHEMES
from .config import StringList

USERID_RULE = [
    validate.Length(min=1, max=USERID_MAX_LENGTH),
    validate.Regexp(USERID_PATTERN, error="may contain only letters, digits and . _ - @ +"),
]
_METHODS_RULE = validate.And(
    validate.Length(min=1, max=len(TRIGGER_METHODS)),
    validate.ContainsOnly([*TRIGGER_METHODS, *(m.lower() for m in TRIGGER_METHODS)]),
)


class SettingsFields(Schema):
    """The settings a hook may be given at registration and changed later."""

    methods = StringList(
        validate=_METHODS_RULE,
        metadata={"description": "HTTP methods that trigger the hook (default GET, POST); a list or comma-separated."},
    )
    rate_limit = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=0, max=RATE_LIMIT_MAX),
        metadata={"description": "Triggers per minute (0: unlimited; null: the service default)."},
    )
    allowed_networks = StringList(
        validate=validate.Length(max=NETWORKS_MAX_COUNT),
        metadata={"description": "CIDRs a trigger must come from (empty: anywhere)."},
    )
    target_url = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=TARGET_URL_MAX_LENGTH),
        metadata={"description": "Where the http handler forwards the hook's events."},
    )


#: The settings a registration may set (``enabled`` is for updates only).
SETTINGS_FIELDS = tuple(SettingsFields().fields)


class RegisterUseridSchema(Schema):
    """The part of ``POST /webhook`` every registration sends: the ``userid``; all else is INCLUDEd.

    Unknown fields are INCLUDEd on purpose: they are the hook's arguments, stored as sent (JSON values;
    form values are strings, or lists of strings for a repeated name).
    """

    class Meta:
        unknown = INCLUDE

    userid = fields.String(
        required=True,
        validate=USERID_RULE,
        metadata={"description": "Who the hook belongs to; handed to the handler on every trigger."},
    )


class RegisterRequestSchema(RegisterUseridSchema, SettingsFields):
    """The body of ``POST /webhook``: a ``userid``, optional settings and, beside them, any arguments.

    The reserved names (:data:`RESERVED_REGISTER_FIELDS`) are settings, never arguments. A body that
    sends none of them is loaded with :class:`RegisterUseridSchema` alone, which is all it needs and
    costs less on the hot path.
    """

    expires_in = fields.Integer(
        validate=validate.Range(min=1, max=EXPIRES_IN_MAX),
        metadata={"description": "Seconds until the hook expires (default: never)."},
    )
    signature_scheme = fields.String(
        validate=validate.OneOf(SCHEMES), metadata={"description": "Require signed triggers with this scheme."}
    )
    signing_secret = fields.String(
        validate=validate.Length(min=16, max=256),
        load_only=True,
        metadata={"description": "The secret to verify with (default: generated and returned once)."},
    )
    handler = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "A handler of dispatch.hook_handlers for this hook's events (e.g. http)."},
    )


#: The names POST /webhook reads as settings rather than as arguments.
RESERVED_REGISTER_FIELDS = frozenset(RegisterRequestSchema().fields)


class UpdateRequestSchema(SettingsFields):
    """The JSON body of ``PATCH /webhooks/{id}``: what to change; absent fields stay as they are."""

    class Meta:
        unknown = RAISE  # a misspelt setting must not be silently ignored

    arguments = fields.Dict(
        keys=fields.String(validate=validate.Length(max=128)),
        validate=validate.Length(max=ARGUMENTS_MAX_COUNT),
        metadata={"description": "Replaces all the hook's arguments."},
    )
    enabled = fields.Boolean(metadata={"description": "false: triggers answer 404 until re-enabled."})


class ListQuerySchema(Schema):
    """The query of ``GET /webhooks`` (admin only)."""

    class Meta:
        unknown = RAISE

    userid = fields.String(required=True, validate=USERID_RULE)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=PAGE_SIZE_MAX))
    cursor = fields.String(validate=validate.Length(max=64), metadata={"description": "next_cursor of the previous page."})


class DeadLetterQuerySchema(Schema):
    """The query of ``GET /queue/dead-letters`` (admin only)."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=PAGE_SIZE_MAX))


class HistoryQuerySchema(Schema):
    """The query of ``GET /webhooks/{id}/history``."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=PAGE_SIZE_MAX))
    cursor = fields.String(validate=validate.Length(max=160), metadata={"description": "next_cursor of the previous page."})


class HistoryEntrySchema(Schema):
    """One trigger in a hook's history."""

    event_id = fields.String(required=True)
    received_at = fields.DateTime(required=True)
    method = fields.String(required=True)
    body_bytes = fields.Integer(required=True)
    body_sha256 = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(
        ["queued", "delivered", "retrying", "dead", "duplicate", "rejected"]))
    attempts = fields.Integer(required=True)
    last_error = fields.String(required=True)
    handler_ms = fields.Float(required=True)
    replay_of = fields.String(required=True)


class HistoryPageSchema(Schema):
    """The answer to ``GET /webhooks/{id}/history``."""

    entries = fields.List(fields.Nested(HistoryEntrySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class HookViewSchema(Schema):
    """A hook as its owner or an admin sees it: every setting, never a secret."""

    id = fields.String(required=True, validate=validate.Regexp(HOOK_ID_PATTERN))
    userid = fields.String(required=True)
    arguments = fields.Dict(required=True)
    created = fields.DateTime(required=True)
    enabled = fields.Boolean(required=True)
    methods = fields.List(fields.String(), required=True)
    rate_limit = fields.Integer(allow_none=True, required=True)
    allowed_networks = fields.List(fields.String(), required=True)
    signature_scheme = fields.String(allow_none=True, required=True)
    expires = fields.DateTime(allow_none=True, required=True)
    handler = fields.String(allow_none=True, required=True)
    target_url = fields.String(allow_none=True, required=True)


class HookPageSchema(Schema):
    """The answer to ``GET /webhooks``: one page, newest first."""

    hooks = fields.List(fields.Nested(HookViewSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class RegisterResponseSchema(Schema):
    """The answer to a successful ``POST /webhook`` (status 200); its secrets are shown only here."""

    id = fields.String(required=True, validate=validate.Regexp(HOOK_ID_PATTERN))
    url = fields.String(required=True, metadata={"description": "The URL that triggers the hook."})
    token = fields.String(required=True, metadata={"description": "Bearer token to manage the hook; shown once."})
    signing_secret = fields.String(metadata={"description": "For a signed hook: its secret; shown once."})
    delivery_secret = fields.String(
        metadata={"description": "For the http handler: the secret its deliveries are signed with; shown once."}
    )
    expires = fields.DateTime(metadata={"description": "When the hook expires, if it does."})


class TriggerResponseSchema(Schema):
    """The answer to a successful trigger: 201 when handled, 200 for a duplicate delivery."""

    message = fields.String(required=True, metadata={"example": "web hook triggered"})
    duplicate = fields.Boolean(metadata={"description": "true: this delivery was handled before."})


class ErrorSchema(Schema):
    """Every error body (RFC 9457 problem details, ``application/problem+json``)."""

    title = fields.String(required=True, metadata={"example": "Not Found"})
    status = fields.Integer(required=True, metadata={"example": 404})
    detail = fields.String(required=True, metadata={"example": "webhook id not found"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Per-field messages, on a 400 for an invalid body."},
    )
