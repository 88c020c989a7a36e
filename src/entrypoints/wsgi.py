"""The WSGI entry for running gunicorn directly: ``gunicorn 'webhook_register.entrypoints.wsgi:create_app()'``
(and for granian's workers under ``serve``).

Nothing happens at import; gunicorn calls :func:`create_app` in each worker (unless preloaded).
"""
from __future__ import annotations

import falcon

from .config import ConfigError
from .containers import build_container
from .logs import configure_logging


def create_app() -> falcon.App:
    """Return the app configured from ``$WEBHOOK_REGISTER_CONFIG`` (or ./config.yml) and the environment,
    with logging set up as ``logging`` says (JSON lines with request ids, access lines), as under ``serve``.

    Raises:
        ConfigError: the configuration is invalid, or asks for the embedded Redis, which only
            ``webhook-register serve`` can own.
    """
    container = build_container()
    if container.config.redis.embedded():
        raise ConfigError(
            "redis.embedded is true, but only `webhook-register serve` runs the embedded Redis: "
            "set WEBHOOK_REDIS_EMBEDDED=false and point redis.host/redis.port at your Redis"
        )
    logging_config = container.config.logging()
    configure_logging(logging_config["format"], logging_config["level"])
    return container.app()
