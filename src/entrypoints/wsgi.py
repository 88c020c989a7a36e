"""The WSGI entry for running gunicorn directly: ``gunicorn 'webhook_register.entrypoints.wsgi:create_app()'``.

Nothing happens at import; gunicorn calls :func:`create_app` in each worker (unless preloaded).
"""
from __future__ import annotations

import falcon

from .config import ConfigError
from .containers import build_container


def create_app() -> falcon.App:
    """Return the app configured from ``$WEBHOOK_REGISTER_CONFIG`` (or ./config.yml) and the environment.

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
    return container.app()
