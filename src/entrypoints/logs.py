"""Logging: one JSON object per line (or readable text for local use), each with the request id of the
request it belongs to, and an access line per request (route, status, latency)."""
from __future__ import annotations

import contextvars
import logging
import time
from typing import Any

import falcon
from pythonjsonlogger.json import JsonFormatter

#: The id of the request being served in this thread (``-`` outside requests).
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

access_logger = logging.getLogger("webhook_register.access")

_TEXT_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] [%(request_id)s] %(name)s: %(message)s"
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


def formatter(style: str) -> logging.Formatter:
    """The formatter of the ``logging.format`` setting: ``json`` or ``text``."""
    if style == "json":
        return JsonFormatter(_JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
    return logging.Formatter(_TEXT_FORMAT)


def configure_logging(style: str, level: str = "INFO") -> dict[str, Any]:
    """Send every log record (ours and gunicorn's) to stderr in ``style``; return the ``logconfig_dict``
    that makes gunicorn's own loggers use the same format."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(style))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"chosen": {"()": formatter, "style": style}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "chosen", "filters": ["request_id"]}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},  # we log access ourselves
        },
    }


class AccessLogMiddleware:
    """Logs one line per request: method, route template, status and latency (never the body or headers)."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource, req_succeeded: bool) -> None:
        if not access_logger.isEnabledFor(logging.INFO):
            return
        started = getattr(req.context, "started", None)
        latency_ms = round((time.perf_counter() - started) * 1000, 3) if started else None
        access_logger.info(
            "%s %s %s", req.method, req.uri_template or req.path, resp.status_code,
            extra={"method": req.method, "route": req.uri_template, "status": resp.status_code,
                   "latency_ms": latency_ms},
        )
