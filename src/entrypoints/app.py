"""The Falcon WSGI application factory."""
from __future__ import annotations

import functools
from typing import Callable

import falcon
import falcon.media
import orjson

from ..domain.dispatch import QueueAdmin
from ..domain.service import WebhookService
from .docs import install_docs
from .http_errors import install_error_handlers
from .metrics import Metrics, MetricsResource
from .openapi import build_openapi
from .request_context import RequestIdMiddleware, parse_networks
from .request_observer import RequestObserver
from .management import HistoryResource, HookCollectionResource, HookResource, ReplayResource
from .operations import (
    DeadLetterReplayResource,
    DeadLettersResource,
    HealthResource,
    QueueResource,
    ReadinessResource,
)
from .resources import RegistrationResource, TriggerResource


def create_app(
    service: WebhookService,
    queue_admin: QueueAdmin | None = None,
    dispatch_mode: str = "inline",
    readiness_probe: Callable[[], None] | None = None,
    access_log: bool = False,
    metrics: Metrics | None = None,
    metrics_networks: list[str] | tuple[str, ...] = (),
    max_body_bytes: int = 65536,
    max_trigger_body_bytes: int = 1024 * 1024,
    max_query_params: int = 100,
    trusted_proxies: list[str] | tuple[str, ...] = (),
) -> falcon.App:
    """Return the WSGI app serving the webhook API on ``service``.

    Args:
        service: the webhook use cases, already wired to their adapters.
        queue_admin: the queue's admin use cases (the /queue routes), or None to serve no such routes.
        dispatch_mode: ``inline`` or ``queue``, as shown by ``GET /queue``.
        readiness_probe: raises ``StorageUnavailable`` when Redis does not answer (``GET /ready``);
            None: ``/ready`` answers as ``/health`` does.
        access_log: log one line per request (method, route, status, latency).
        metrics: the metrics to count and serve at ``/metrics``, or None for none.
        metrics_networks: who may read ``/metrics`` (empty: anyone).
        max_body_bytes: the largest registration or update body (413 above).
        max_trigger_body_bytes: the largest trigger body (413 above).
        max_query_params: the most query parameters a trigger may carry (400 above).
        trusted_proxies: addresses or networks whose X-Forwarded-For names the caller.
    """
    middleware: list = [RequestIdMiddleware()]
    if metrics is not None or access_log:
        observer = RequestObserver(metrics, access_log)
        middleware.append(observer)
    app = falcon.App(middleware=middleware)
    # orjson encodes and decodes several times faster than the standard json module.
    json_handler = falcon.media.JSONHandler(
        dumps=functools.partial(orjson.dumps, option=orjson.OPT_UTC_Z), loads=orjson.loads
    )
    app.req_options.media_handlers[falcon.MEDIA_JSON] = json_handler
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = json_handler
    install_error_handlers(app)
    install_docs(app, build_openapi(queue_routes=queue_admin is not None, metrics_route=metrics is not None))
    if metrics is not None:
        app.add_route("/metrics", MetricsResource(metrics, list(metrics_networks), list(trusted_proxies),
                                                  before_render=observer.flush))
    app.add_route("/health", HealthResource())
    app.add_route("/ready", ReadinessResource(readiness_probe or (lambda: None)))
    app.add_route("/webhook", RegistrationResource(service, max_body_bytes))
    app.add_route(
        "/webhook/{hook_id}",
        TriggerResource(service, max_trigger_body_bytes, max_query_params, parse_networks(trusted_proxies)),
    )
    app.add_route("/webhooks", HookCollectionResource(service))
    app.add_route("/webhooks/{hook_id}", HookResource(service, max_body_bytes))
    app.add_route("/webhooks/{hook_id}/history", HistoryResource(service))
    app.add_route("/webhooks/{hook_id}/history/{event_id}/replay", ReplayResource(service))
    if queue_admin is not None:
        app.add_route("/queue", QueueResource(queue_admin, dispatch_mode))
        app.add_route("/queue/dead-letters", DeadLettersResource(queue_admin))
        app.add_route("/queue/dead-letters/{entry_id}/replay", DeadLetterReplayResource(queue_admin))
    return app
