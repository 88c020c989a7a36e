"""Builds the redis-py client the service uses, with its timeouts and retry policy chosen on purpose."""
from __future__ import annotations

import redis
from typing import Callable

from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

from .redis_errors import redis_call

#: One retry after a short pause rides out a blip (a restarted Redis, a dropped connection) while an
#: outage is still answered within about twice the socket timeout instead of redis-py's default seconds.
_RETRIES = 1


def create_redis_client(
    host: str = "127.0.0.1",
    port: int = 6379,
    db: int = 0,
    password: str | None = None,
    unix_socket: str | None = None,
    socket_timeout: float = 1.0,
    connect_timeout: float = 0.5,
) -> redis.Redis:
    """Return a client for the configured Redis; it opens no connection until its first command.

    Its pool notices a fork and opens fresh connections in the child, so a client built before
    gunicorn forks never shares a socket between workers.
    """
    return redis.Redis(
        host=host,
        port=port,
        db=db,
        password=password or None,
        unix_socket_path=unix_socket or None,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        retry=Retry(ExponentialBackoff(cap=0.1, base=0.02), _RETRIES),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        health_check_interval=30,
    )


def redis_probe(client: redis.Redis, timeout: float = 0.5) -> Callable[[], None]:
    """Return a check that PINGs Redis on its own connection with a short timeout and no retry, raising
    ``StorageUnavailable`` when it does not answer (for readiness probes)."""
    kwargs = client.connection_pool.connection_kwargs
    probe_client = redis.Redis(
        host=kwargs.get("host", "127.0.0.1"), port=kwargs.get("port", 6379), db=kwargs.get("db", 0),
        password=kwargs.get("password"), unix_socket_path=kwargs.get("path"),
        socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
        single_connection_client=False,
    )

    def probe() -> None:
        redis_call("readiness", probe_client.ping)

    return probe
