"""Runs the app under granian (a Rust HTTP server) from ``serve``, when ``http.server`` is ``granian``.

granian starts its workers as fresh interpreters, so they build the app from the configuration file
and the environment, exactly as ``wsgi.create_app`` does under a plain gunicorn.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .config import CONFIG_PATH_VARIABLE, ConfigError, environment_variable


def run_granian(http_config: dict[str, Any], redis_config: dict[str, Any], config_path: Path) -> None:
    """Serve until SIGTERM/SIGINT with the ``http`` settings; workers use the Redis of ``redis_config``.

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
    # The workers read the same file; the embedded Redis that serve started is, to them, external.
    os.environ[CONFIG_PATH_VARIABLE] = str(config_path.resolve())
    if redis_config["embedded"]:
        os.environ[environment_variable("redis", "embedded")] = "false"
        os.environ[environment_variable("redis", "socket")] = redis_config["socket"]
        os.environ[environment_variable("redis", "password")] = ""
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
