"""The JSON the HTTP API reads and writes, defined once as marshmallow schemas."""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from ..domain.model import HOOK_ID_PATTERN, USERID_MAX_LENGTH, USERID_PATTERN


class RegisterRequestSchema(Schema):
    """The body of ``POST /webhook``: a ``userid`` and, beside it, any further arguments.

    Unknown fields are INCLUDEd on purpose: they are the hook's arguments, stored as sent (JSON values;
    form values are strings, or lists of strings for a repeated name).
    """

    class Meta:
        unknown = INCLUDE

    userid = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=USERID_MAX_LENGTH),
            validate.Regexp(USERID_PATTERN, error="may contain only letters, digits and . _ - @ +"),
        ],
        metadata={"description": "Who the hook belongs to; handed to the handler on every trigger."},
    )


class RegisterResponseSchema(Schema):
    """The answer to a successful ``POST /webhook`` (status 200)."""

    id = fields.String(required=True, validate=validate.Regexp(HOOK_ID_PATTERN))
    url = fields.String(required=True, metadata={"description": "The URL that triggers the hook."})


class TriggerResponseSchema(Schema):
    """The answer to a successful trigger (status 201)."""

    message = fields.String(required=True, metadata={"example": "web hook triggered"})


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
