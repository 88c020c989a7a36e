"""The composition root: configuration → adapters → service → app, as dependency-injector providers.

Every provider is lazy, so building a container opens nothing; the Redis client is created the first
time a request needs it, which under gunicorn is inside each worker, after the fork.
"""
from __future__ import annotations

from dependency_injector import containers, providers

from ..adapters.console_handler import ConsoleHandler
from ..adapters.http_handler import HttpHandler
from ..adapters.python_handler import HandlerNotFound, PythonHandler, load_function
from ..adapters.redis_client import create_redis_client, redis_probe
from ..adapters.redis_history import RedisTriggerHistory
from ..adapters.write_behind_history import WriteBehindHistory
from ..adapters.redis_queue import RedisEventQueue
from ..adapters.redis_repository import RedisWebhookRepository
from ..domain.dispatch import Dispatcher, HandlerRouter, QueueAdmin, QueueingHandler, RetryPolicy
from ..domain.service import Policy, WebhookService
from ..domain.tokens import AdminTokens
from .app import create_app
from .config import ConfigError, admin_token_hashes, load_config, resolve_config_path
from .metrics import Metrics


class Container(containers.DeclarativeContainer):
    """Builds the service and its app from the configuration; tests override single providers."""

    config = providers.Configuration(strict=True)

    redis_client = providers.Singleton(
        create_redis_client,
        host=config.redis.host,
        port=config.redis.port,
        db=config.redis.db,
        password=config.redis.password,
        unix_socket=config.redis.socket,
        socket_timeout=config.redis.socket_timeout,
        connect_timeout=config.redis.connect_timeout,
    )
    webhook_repository = providers.Singleton(
        RedisWebhookRepository, client=redis_client, key_prefix=config.redis.key_prefix
    )
    # The handler that acts on an event: in the request (inline mode) or in a worker (queue mode).
    default_handler = providers.Selector(
        providers.Callable(lambda name: "console" if name == "console" else "python", config.dispatch.handler),
        console=providers.Singleton(ConsoleHandler),
        python=providers.Singleton(PythonHandler, name=config.dispatch.handler),
    )
    http_handler = providers.Singleton(
        HttpHandler,
        repository=webhook_repository,
        allow_private=config.dispatch.http_allow_private_targets,
        connect_timeout=config.dispatch.http_connect_timeout,
        read_timeout=config.dispatch.http_read_timeout,
    )
    event_handler = providers.Singleton(
        HandlerRouter, default=default_handler, named=providers.Dict(http=http_handler)
    )
    event_queue = providers.Singleton(
        RedisEventQueue,
        client=redis_client,
        key_prefix=config.redis.key_prefix,
        max_backlog=config.dispatch.max_backlog,
        claim_idle_seconds=config.dispatch.claim_idle_seconds,
        dead_letter_max=config.dispatch.dead_letter_max,
    )
    # What a trigger calls: the handler itself, or the queue that workers drain.
    webhook_handler = providers.Selector(
        config.dispatch.mode,
        inline=event_handler,
        queue=providers.Singleton(QueueingHandler, queue=event_queue),
    )
    retry_policy = providers.Singleton(
        RetryPolicy,
        max_attempts=config.dispatch.max_attempts,
        base_seconds=config.dispatch.backoff_base_seconds,
        max_seconds=config.dispatch.backoff_max_seconds,
    )
    admin_tokens = providers.Singleton(
        AdminTokens, hashes=providers.Callable(admin_token_hashes, config.auth.admin_tokens)
    )
    policy = providers.Singleton(
        Policy,
        admin_tokens=admin_tokens,
        register_requires_admin=config.auth.register_requires_admin,
        default_rate_limit=config.limits.trigger_rate_per_minute,
        replay_window_seconds=config.limits.replay_window_seconds,
        hook_handlers=providers.Callable(tuple, config.dispatch.hook_handlers),
        history_size=config.limits.history_size,
    )
    # History is written behind the request, in batches, so that no trigger waits for it.
    trigger_history = providers.Singleton(
        WriteBehindHistory,
        inner=providers.Singleton(
            RedisTriggerHistory, client=redis_client, key_prefix=config.redis.key_prefix,
            ttl_seconds=config.limits.history_ttl_seconds,
        ),
    )
    webhook_service = providers.Singleton(
        WebhookService, repository=webhook_repository, handler=webhook_handler, policy=policy,
        history=trigger_history,
    )
    dispatcher = providers.Factory(
        Dispatcher, queue=event_queue, handler=event_handler, policy=retry_policy, history=trigger_history
    )
    queue_admin = providers.Singleton(
        QueueAdmin, queue=event_queue, require_admin=webhook_service.provided.require_admin
    )
    metrics = providers.Selector(
        providers.Callable(lambda enabled: "on" if enabled else "off", config.metrics.enabled),
        on=providers.Singleton(Metrics, queue_depth=queue_admin.provided.queue_status),
        off=providers.Object(None),
    )
    app = providers.Singleton(
        create_app,
        service=webhook_service,
        queue_admin=queue_admin,
        dispatch_mode=config.dispatch.mode,
        readiness_probe=providers.Callable(redis_probe, redis_client),
        access_log=config.logging.access,
        metrics=metrics,
        metrics_networks=config.metrics.allowed_networks,
        max_body_bytes=config.http.max_body_bytes,
        max_trigger_body_bytes=config.limits.max_trigger_body_bytes,
        max_query_params=config.limits.max_query_params,
        trusted_proxies=config.http.trusted_proxies,
    )


def build_container(config_path: str | None = None) -> Container:
    """Return a container configured from the config file (``--config``, ``$WEBHOOK_REGISTER_CONFIG``
    or ./config.yml) and the environment.

    Raises:
        ConfigError: the file is missing, a value is invalid, or dispatch.handler names no function.
    """
    container = Container()
    config = load_config(resolve_config_path(config_path))
    handler = config["dispatch"]["handler"]
    if handler != "console":
        try:  # a bad name must stop start-up, not fail every trigger later
            load_function(handler)
        except HandlerNotFound as exc:
            raise ConfigError(f"dispatch.handler: {exc}") from None
    container.config.from_dict(config)
    return container
