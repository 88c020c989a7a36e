"""Runs the app under granian (a Rust HTTP server) from ``serve``, when ``http.server`` is ``granian``.

granian starts its workers as fresh interpreters, so they build the app from the configuration file
and the environment, exactly as ``wsgi.create_app`` does under a plain gunicorn.
"""
from __future__ import annotations

import os
from typing import Any

from .config import ConfigError


def run_granian(http_config: dict[str, Any], environment: dict[str, str]) -> None:
    """Serve until SIGTERM/SIGINT with the ``http`` settings; ``environment`` points the workers at the
    config file and the Redis (see ``embedded_redis.child_environment``).

    Raises:
        ConfigError: granian is not installed.
    """
    try:
        from granian import Granian
        from granian.constants import Interfaces
    except ImportError:
        raise ConfigError(
            "http.server is granian, but granian is not installed: pip install 'webhook-register[granian]'"
        ) from None
    os.environ.update(environment)  # granian's workers are fresh interpreters that inherit it
    Granian(
        "webhook_register.entrypoints.wsgi:create_app",
        factory=True,
        interface=Interfaces.WSGI,
        address=http_config["host"],
        port=http_config["port"],
        workers=http_config["workers"],
        blocking_threads=http_config["threads"],
        websockets=False,
    ).serve()
