"""Counting and logging every request behind it: the middleware notes what a request was, and a thread of
each worker hands those notes, in batches, to the metrics and the access log.

Logging a line and counting a request cost a request tens of microseconds when done in it, much of it
because that code is cold in the CPU's caches by then; a batch runs it hot, off the request's path.
Counts and access lines appear a few milliseconds after the answer (``/metrics`` first flushes the notes
of the worker that serves it).
"""
from __future__ import annotations

import logging
import time
from typing import NamedTuple

import falcon

from ..adapters.write_behind import WriteBehind
from .logs import access_logger
from .metrics import Metrics

#: Methods counted by name; any other a client invents is counted as OTHER, so that made-up methods
#: cannot grow the metrics (and their files) without bound.
_KNOWN_METHODS = frozenset(falcon.COMBINED_METHODS)


class RequestNote(NamedTuple):
    """What the metrics and the access line need of one answered request."""

    when: float  # time.time() at the answer
    method: str
    route: str | None  # the route template (never the raw path, which holds hook ids)
    path: str
    status: int
    seconds: float
    request_id: str | None


class RequestObserver:
    """Falcon middleware: notes every request, then counts it (``metrics``) and logs it (``access_log``).

    Args:
        metrics: the metrics to count requests in, or None.
        access_log: whether to log one line per request (at INFO on ``webhook_register.access``).
        interval: how long notes wait to be handled together.
    """

    def __init__(self, metrics: Metrics | None, access_log: bool, interval: float = 0.005) -> None:
        self._metrics = metrics
        self._access_log = access_log
        self._notes: WriteBehind[RequestNote] = WriteBehind(self._handle, "request-observer", interval)

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Start the request's clock."""
        req.context.observed_from = time.perf_counter()

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource, req_succeeded: bool) -> None:
        """Note the answered request (a full buffer drops the note: counts must not hold up answers)."""
        started = getattr(req.context, "observed_from", None)
        if started is not None:
            self._notes.append(RequestNote(time.time(), req.method, req.uri_template, req.path, resp.status_code,
                                           time.perf_counter() - started, getattr(req.context, "request_id", None)))

    def flush(self) -> None:
        """Count and log every request noted so far in this process."""
        self._notes.flush()

    def _handle(self, notes: list[RequestNote]) -> None:
        log = self._access_log and access_logger.isEnabledFor(logging.INFO)
        for note in notes:
            if self._metrics is not None:
                method = note.method if note.method in _KNOWN_METHODS else "OTHER"
                self._metrics.observe(note.route or "(unrouted)", method, note.status, note.seconds)
            if log:
                _log_access(note)


def _log_access(note: RequestNote) -> None:
    """Log the access line of ``note``, stamped with the request's own time and id."""
    latency_ms = round(note.seconds * 1000, 3)
    record = access_logger.makeRecord(
        access_logger.name, logging.INFO, "", 0, "%s %s %s",  # no source path: it would only cost time
        (note.method, note.route or note.path, note.status), None,
        extra={"method": note.method, "route": note.route, "status": note.status, "latency_ms": latency_ms,
               "request_id": note.request_id or "-"},
    )
    record.created = note.when
    record.msecs = int((note.when - int(note.when)) * 1000) + 0.0
    access_logger.handle(record)
