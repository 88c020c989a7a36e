"""One place where redis-py's exceptions become the domain's ``StorageUnavailable``."""
from __future__ import annotations

from typing import Any, Callable

import redis

from ..domain.errors import StorageUnavailable


def redis_call(action: str, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one Redis command (or pipeline, or script); any Redis failure raises ``StorageUnavailable``
    naming ``action``, with the redis-py exception as its cause."""
    try:
        return command(*args, **kwargs)
    except redis.RedisError as exc:
        raise StorageUnavailable(f"redis failed on {action}: {type(exc).__name__}") from exc
