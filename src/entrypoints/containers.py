"""The composition root: configuration → adapters → service → app, as dependency-injector providers.

Every provider is lazy, so building a container opens nothing; the Redis client is created the first
time a request needs it, which under gunicorn is inside each worker, after the fork.
"""
from __future__ import annotations

from dependency_injector import containers, providers

from ..adapters.console_handler import ConsoleHandler
from ..adapters.redis_client import create_redis_client
from ..adapters.redis_repository import RedisWebhookRepository
from ..domain.service import Policy, WebhookService
from ..domain.tokens import AdminTokens
from .app import create_app
from .config import admin_token_hashes, load_config, resolve_config_path


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
    webhook_handler = providers.Singleton(ConsoleHandler)
    admin_tokens = providers.Singleton(
        AdminTokens, hashes=providers.Callable(admin_token_hashes, config.auth.admin_tokens)
    )
    policy = providers.Singleton(
        Policy,
        admin_tokens=admin_tokens,
        register_requires_admin=config.auth.register_requires_admin,
        default_rate_limit=config.limits.trigger_rate_per_minute,
        replay_window_seconds=config.limits.replay_window_seconds,
    )
    webhook_service = providers.Singleton(
        WebhookService, repository=webhook_repository, handler=webhook_handler, policy=policy
    )
    app = providers.Singleton(
        create_app,
        service=webhook_service,
        max_body_bytes=config.http.max_body_bytes,
        max_trigger_body_bytes=config.limits.max_trigger_body_bytes,
        max_query_params=config.limits.max_query_params,
        trusted_proxies=config.http.trusted_proxies,
    )


def build_container(config_path: str | None = None) -> Container:
    """Return a container configured from the config file (``--config``, ``$WEBHOOK_REGISTER_CONFIG``
    or ./config.yml) and the environment.

    Raises:
        ConfigError: the file is missing or a value is invalid.
    """
    container = Container()
    container.config.from_dict(load_config(resolve_config_path(config_path)))
    return container
