"""Prometheus metrics: requests, latency, registrations and triggers by outcome, the queue's depth.

Under gunicorn, ``serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before the workers
fork, so that every worker's counts add up in ``/metrics`` whichever worker answers the scrape.
prometheus-client chooses its storage when first imported, so it is imported here only when the
metrics are built (in each worker), never at module import.
"""
from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import tempfile
from typing import Callable, Iterator

import falcon

from .request_context import client_address, parse_networks

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

#: What a trigger's status says became of it.
_TRIGGER_OUTCOMES = {201: "handled", 200: "duplicate", 404: "not_found", 429: "rate_limited", 500: "failed"}


class Metrics:
    """The service's metrics and their exposition.

    Args:
        queue_depth: returns ``(events waiting or in hand, dead letters)``, or None when there is no queue.
    """

    def __init__(self, queue_depth: Callable[[], tuple[int, int]] | None = None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
        from prometheus_client.core import GaugeMetricFamily

        self.requests = Counter("webhook_requests_total", "HTTP requests by route, method and status.",
                                ["route", "method", "status"], registry=None)
        self.latency = Histogram("webhook_request_duration_seconds", "HTTP request latency.", ["route", "method"],
                                 registry=None, buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5))
        self.registrations = Counter("webhook_registrations_total", "Webhooks registered.", registry=None)
        self.triggers = Counter("webhook_triggers_total", "Triggers by outcome.", ["outcome"], registry=None)
        self.registry = CollectorRegistry()
        if os.environ.get(MULTIPROCESS_VARIABLE):
            multiprocess.MultiProcessCollector(self.registry)
        else:
            for metric in (self.requests, self.latency, self.registrations, self.triggers):
                self.registry.register(metric)
        if queue_depth is not None:
            self.registry.register(_QueueCollector(queue_depth, GaugeMetricFamily))
        self._children: dict[tuple[str, str, int], tuple[Callable, Callable, Callable | None]] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one request (and what it was: a registration, a trigger's outcome)."""
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = self._children_of(route, method, status)
        count, latency, outcome = children
        count()
        latency(seconds)
        if outcome is not None:
            outcome()

    def _children_of(self, route: str, method: str, status: int) -> tuple[Callable, Callable, Callable | None]:
        """The bound methods that count a request of this kind: looking up labelled children costs as much
        as counting, so it is done once per kind (routes are templates, so the kinds are few)."""
        outcome = None
        if route == "/webhook" and method == "POST" and status == 200:
            outcome = self.registrations.inc
        elif route == "/webhook/{hook_id}":
            outcome = self.triggers.labels(_TRIGGER_OUTCOMES.get(status, "rejected")).inc
        return (self.requests.labels(route, method, str(status)).inc,
                self.latency.labels(route, method).observe, outcome)

    def render(self) -> bytes:
        """The text exposition of every metric."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


class _QueueCollector:
    """Reads the queue's depth and dead letters at scrape time (skipped while Redis is down)."""

    def __init__(self, queue_depth: Callable[[], tuple[int, int]], family) -> None:
        self._queue_depth = queue_depth
        self._family = family

    def collect(self):
        try:
            depth, dead = self._queue_depth()
        except Exception:  # noqa: BLE001 - a scrape must not fail because Redis does
            return
        yield self._family("webhook_queue_depth", "Queued events waiting or in hand.", value=depth)
        yield self._family("webhook_dead_letters", "Dead letters kept.", value=dead)


class MetricsResource:
    """``GET /metrics``: the Prometheus text format, to callers from the allowed networks only."""

    def __init__(self, metrics: Metrics, allowed_networks: list[str], trusted_proxies: list[str],
                 before_render: Callable[[], None] = lambda: None) -> None:
        self._metrics = metrics
        self._before_render = before_render
        self._allowed = parse_networks(allowed_networks)
        self._trusted = parse_networks(trusted_proxies)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Answer the metrics, or 403 to a caller outside ``metrics.allowed_networks``."""
        address = client_address(req, self._trusted)
        if self._allowed and not any(_in(address, network) for network in self._allowed):
            raise falcon.HTTPForbidden(description="metrics are not served to this address")
        self._before_render()
        resp.content_type = "text/plain; version=0.0.4; charset=utf-8"
        resp.data = self._metrics.render()


def _in(address: str | None, network) -> bool:
    try:
        return ipaddress.ip_address(address or "") in network
    except ValueError:
        return False


@contextlib.contextmanager
def multiprocess_directory() -> Iterator[None]:
    """Give the processes forked or spawned inside the block a fresh, shared metrics directory (unless
    one is configured already); only the process that made it removes it."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        yield
        return
    owner_pid = os.getpid()
    path = tempfile.mkdtemp(prefix="webhook-register-metrics-")
    os.environ[MULTIPROCESS_VARIABLE] = path
    try:
        yield
    finally:
        if os.getpid() == owner_pid:  # gunicorn workers unwind through here too
            shutil.rmtree(path, ignore_errors=True)
            os.environ.pop(MULTIPROCESS_VARIABLE, None)
