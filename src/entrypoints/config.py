"""Loads and validates the configuration: a YAML file, overridden key by key from the environment.

Every key ``section.key`` can be overridden by the variable ``WEBHOOK_SECTION_KEY`` (for example
``http.port`` by ``WEBHOOK_HTTP_PORT``). The values are taken as they are, never parsed as YAML, so a
password may hold any character. The schemas below are the single list of keys, types and defaults.
"""
from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any, Mapping

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..domain.tokens import hash_token

#: The variable that names the config file when ``--config`` is not given.
CONFIG_PATH_VARIABLE = "WEBHOOK_REGISTER_CONFIG"
DEFAULT_CONFIG_PATH = "config.yml"
ENV_PREFIX = "WEBHOOK_"


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line that names the file and the key."""


class StringList(fields.List):
    """A list of strings, also accepted as one comma-separated string (as an environment variable is)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(fields.String(validate=validate.Length(min=1, max=256)), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",") if item.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


def _ip_networks(values: list[str]) -> None:
    """Refuse entries that are not IP addresses or CIDR networks."""
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValidationError(f"{value!r} is not an IP address or network") from None


_ADMIN_TOKEN_RE = re.compile(r"^(sha256:[A-Za-z0-9_-]{43}|[A-Za-z0-9_-]{16,256})$")


def _admin_tokens(values: list[str]) -> None:
    """Refuse entries that can be neither a token nor a token's hash (without echoing them)."""
    for position, value in enumerate(values, 1):
        if not _ADMIN_TOKEN_RE.fullmatch(value):
            raise ValidationError(
                f"entry {position} is neither a token (16 to 256 letters, digits, _ or -) nor sha256:<hash>"
            )


def admin_token_hashes(entries: list[str]) -> list[str]:
    """Return the hashes of the configured admin tokens (an entry is a token or ``sha256:<hash>``)."""
    return [entry.removeprefix("sha256:") if entry.startswith("sha256:") else hash_token(entry) for entry in entries]


class HttpConfigSchema(Schema):
    """The ``http`` section: where and how the service listens."""

    class Meta:
        unknown = RAISE  # a misspelt key is an error, not a silently ignored setting

    host = fields.String(load_default="127.0.0.1", validate=validate.Length(min=1))
    port = fields.Integer(load_default=8000, validate=validate.Range(min=1, max=65535))
    workers = fields.Integer(load_default=2, validate=validate.Range(min=1, max=256))
    server = fields.String(load_default="gunicorn", validate=validate.OneOf(["gunicorn", "granian"]))
    worker_class = fields.String(load_default="gthread", validate=validate.OneOf(["sync", "gthread"]))
    threads = fields.Integer(load_default=4, validate=validate.Range(min=1, max=256))
    max_body_bytes = fields.Integer(load_default=65536, validate=validate.Range(min=1024, max=64 * 1024 * 1024))
    # Proxies (IPs or CIDRs) whose X-Forwarded-For is believed when finding a caller's address.
    trusted_proxies = StringList(load_default=list, validate=_ip_networks)


class RedisConfigSchema(Schema):
    """The ``redis`` section: which Redis holds the hooks, or the embedded one to run."""

    class Meta:
        unknown = RAISE

    embedded = fields.Boolean(load_default=True)
    data_dir = fields.String(load_default="./data", validate=validate.Length(min=1))
    appendfsync = fields.String(load_default="everysec", validate=validate.OneOf(["always", "everysec", "no"]))
    host = fields.String(load_default="127.0.0.1", validate=validate.Length(min=1))
    port = fields.Integer(load_default=6379, validate=validate.Range(min=1, max=65535))
    socket = fields.String(load_default=None, allow_none=True)
    db = fields.Integer(load_default=0, validate=validate.Range(min=0))
    password = fields.String(load_default=None, allow_none=True)
    # Braces would break the {id} hash tag of every key; keep the prefix to a plain, printable set.
    key_prefix = fields.String(load_default="webhook:", validate=validate.Regexp(r"^[A-Za-z0-9:_.-]{0,64}$"))
    socket_timeout = fields.Float(load_default=1.0, validate=validate.Range(min=0.01, max=60))
    connect_timeout = fields.Float(load_default=0.5, validate=validate.Range(min=0.01, max=60))


class AuthConfigSchema(Schema):
    """The ``auth`` section: admin credentials and who may register."""

    class Meta:
        unknown = RAISE

    # Each entry: a token (hashed at load, never kept or logged) or "sha256:<its hash>" as printed by
    # `webhook-register hash-token`, so that config files need not hold the token itself.
    admin_tokens = StringList(load_default=list, validate=_admin_tokens)
    register_requires_admin = fields.Boolean(load_default=False)


class LimitsConfigSchema(Schema):
    """The ``limits`` section: what one trigger may cost."""

    class Meta:
        unknown = RAISE

    trigger_rate_per_minute = fields.Integer(load_default=600, validate=validate.Range(min=0, max=1_000_000))
    max_trigger_body_bytes = fields.Integer(load_default=1024 * 1024, validate=validate.Range(min=1024, max=64 * 1024 * 1024))
    max_query_params = fields.Integer(load_default=100, validate=validate.Range(min=1, max=10_000))
    replay_window_seconds = fields.Integer(load_default=86400, validate=validate.Range(min=1, max=30 * 86400))
    # Each hook's history keeps its last history_size triggers (0: no history), for history_ttl_seconds
    # after its last trigger.
    history_size = fields.Integer(load_default=20, validate=validate.Range(min=0, max=1000))
    history_ttl_seconds = fields.Integer(load_default=7 * 86400, validate=validate.Range(min=60, max=365 * 86400))


class DispatchConfigSchema(Schema):
    """The ``dispatch`` section: run handlers inline, or queue events for workers with retries."""

    class Meta:
        unknown = RAISE

    mode = fields.String(load_default="inline", validate=validate.OneOf(["inline", "queue"]))
    # "console"; a function of yours as "package.module:function"; or the name of an entry point in the
    # group webhook_register.handlers. Each receives every event.
    handler = fields.String(
        load_default="console",
        validate=validate.Regexp(r"^([A-Za-z_][\w.]*:[A-Za-z_]\w*|[A-Za-z0-9][\w.-]{0,127})$",
                                 error="must be console, package.module:function or an entry point name"),
    )
    # queue mode: `serve` also runs one worker process, so that nothing else needs starting.
    worker_in_serve = fields.Boolean(load_default=True)
    max_attempts = fields.Integer(load_default=5, validate=validate.Range(min=1, max=100))
    backoff_base_seconds = fields.Float(load_default=1.0, validate=validate.Range(min=0.001, max=3600))
    backoff_max_seconds = fields.Float(load_default=300.0, validate=validate.Range(min=0.001, max=86400))
    claim_idle_seconds = fields.Float(load_default=60.0, validate=validate.Range(min=0.1, max=86400))
    max_backlog = fields.Integer(load_default=1_000_000, validate=validate.Range(min=1))
    dead_letter_max = fields.Integer(load_default=100_000, validate=validate.Range(min=1))
    # Handlers a hook may choose at registration instead of the default one.
    hook_handlers = StringList(load_default=lambda: ["http"], validate=validate.ContainsOnly(["http"]))
    # The http handler: timeouts, and whether targets on loopback or private networks are allowed.
    http_connect_timeout = fields.Float(load_default=3.0, validate=validate.Range(min=0.01, max=60))
    http_read_timeout = fields.Float(load_default=10.0, validate=validate.Range(min=0.01, max=600))
    http_allow_private_targets = fields.Boolean(load_default=False)


class LoggingConfigSchema(Schema):
    """The ``logging`` section."""

    class Meta:
        unknown = RAISE

    # json: one JSON object per line (for log shippers); text: readable lines for local use.
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "text"]))
    level = fields.String(load_default="INFO", validate=validate.OneOf(["DEBUG", "INFO", "WARNING", "ERROR"]))
    # One line per request: method, route, status, latency, request id.
    access = fields.Boolean(load_default=True)


class MetricsConfigSchema(Schema):
    """The ``metrics`` section: ``GET /metrics`` in the Prometheus text format."""

    class Meta:
        unknown = RAISE

    enabled = fields.Boolean(load_default=True)
    # Who may scrape (after trusted proxies); empty: anyone.
    allowed_networks = StringList(load_default=lambda: ["127.0.0.0/8", "::1/128"], validate=_ip_networks)


class ConfigSchema(Schema):
    """The whole configuration file."""

    class Meta:
        unknown = RAISE

    http = fields.Nested(HttpConfigSchema, load_default=lambda: HttpConfigSchema().load({}))
    redis = fields.Nested(RedisConfigSchema, load_default=lambda: RedisConfigSchema().load({}))
    auth = fields.Nested(AuthConfigSchema, load_default=lambda: AuthConfigSchema().load({}))
    limits = fields.Nested(LimitsConfigSchema, load_default=lambda: LimitsConfigSchema().load({}))
    dispatch = fields.Nested(DispatchConfigSchema, load_default=lambda: DispatchConfigSchema().load({}))
    logging = fields.Nested(LoggingConfigSchema, load_default=lambda: LoggingConfigSchema().load({}))
    metrics = fields.Nested(MetricsConfigSchema, load_default=lambda: MetricsConfigSchema().load({}))


#: The sections of the file and the schema of each.
SECTIONS: dict[str, type[Schema]] = {
    "http": HttpConfigSchema,
    "redis": RedisConfigSchema,
    "auth": AuthConfigSchema,
    "limits": LimitsConfigSchema,
    "dispatch": DispatchConfigSchema,
    "logging": LoggingConfigSchema,
    "metrics": MetricsConfigSchema,
}


def resolve_config_path(explicit: str | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """Return the config file to read: ``explicit``, else ``$WEBHOOK_REGISTER_CONFIG``, else ./config.yml."""
    return Path(explicit or environ.get(CONFIG_PATH_VARIABLE) or DEFAULT_CONFIG_PATH)


def environment_variable(section: str, key: str) -> str:
    """Return the name of the environment variable that overrides ``section.key``."""
    return f"{ENV_PREFIX}{section}_{key}".upper()


def load_config(path: str | Path, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Read, override from ``environ`` and validate the configuration file at ``path``.

    Returns:
        The complete configuration as nested dicts, every key present with a checked value.

    Raises:
        ConfigError: the file is missing or unreadable, or a value is invalid (the key is named).
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"config file {path} is unreadable: {' '.join(str(exc).split())}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"config file {path} must hold a mapping of sections ({', '.join(SECTIONS)})")
    try:
        return ConfigSchema().load(override_from_environment(raw, environ))
    except ValidationError as exc:
        raise ConfigError(f"invalid config {path}: {'; '.join(_flatten_errors(exc.messages))}") from None


def override_from_environment(raw: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """Return a copy of ``raw`` with every key whose variable is set in ``environ`` replaced.

    An empty variable sets a nullable key (``redis.password``, ``redis.socket``) to null.
    """
    merged = {section: dict(values) if isinstance(values, dict) else values for section, values in raw.items()}
    for section, section_schema in SECTIONS.items():
        for key, field in section_schema().fields.items():
            value = environ.get(environment_variable(section, key))
            if value is None:
                continue
            target = merged.setdefault(section, {})
            if isinstance(target, dict):
                target[key] = None if value == "" and field.allow_none else value
    return merged


def _flatten_errors(messages: Any, prefix: str = "") -> list[str]:
    """Turn marshmallow's nested error dict into ``"http.port: message"`` strings."""
    if isinstance(messages, dict):
        return [line for key, value in messages.items() for line in _flatten_errors(value, f"{prefix}{key}.")]
    if isinstance(messages, list):
        return [f"{prefix.rstrip('.')}: {message}" for message in messages]
    return [f"{prefix.rstrip('.')}: {messages}"]
