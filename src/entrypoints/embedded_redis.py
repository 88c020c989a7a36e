"""The embedded mode: ``serve`` owns a private redis-server for as long as it runs."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from ..adapters.redis_server import RedisServer
from .config import CONFIG_PATH_VARIABLE, environment_variable
from .containers import Container


@contextlib.contextmanager
def embedded_redis(container: Container) -> Iterator[RedisServer]:
    """Start a redis-server on a private unix socket, point the container at it, stop it on exit.

    The socket lives in a fresh 0700 temporary directory (short enough for the 108-byte socket path
    limit wherever data_dir is); the data (AOF) lives in ``redis.data_dir``, so hooks survive restarts.
    Only the process that started the server stops it: gunicorn workers forked inside this block also
    unwind through it when they exit.
    """
    owner_pid = os.getpid()
    socket_dir = tempfile.mkdtemp(prefix="webhook-register-")
    server = RedisServer(
        data_dir=Path(container.config.redis.data_dir()),
        unix_socket=os.path.join(socket_dir, "redis.sock"),
        appendfsync=container.config.redis.appendfsync(),
    )
    try:
        server.start()
        container.config.redis.socket.from_value(server.unix_socket)
        container.config.redis.password.from_value(None)  # the socket's 0700 mode is the access control
        yield server
    finally:
        if os.getpid() == owner_pid:
            server.stop()
            shutil.rmtree(socket_dir, ignore_errors=True)


def child_environment(redis_config: dict, config_path: Path) -> dict[str, str]:
    """Return the variables that make a child process (a granian worker, a queue worker) read the same
    config file and reach the same Redis; to a child, the embedded Redis is an external one."""
    environment = {CONFIG_PATH_VARIABLE: str(config_path.resolve())}
    if redis_config["embedded"]:
        environment[environment_variable("redis", "embedded")] = "false"
        environment[environment_variable("redis", "socket")] = redis_config["socket"]
        environment[environment_variable("redis", "password")] = ""
    return environment
