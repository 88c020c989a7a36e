"""Logging: one JSON object per line (or readable text for local use), each with the request id of the
request it belongs to, and an access line per request (route, status, latency)."""
from __future__ import annotations

import contextvars
import logging
from typing import Any

from pythonjsonlogger.orjson import OrjsonFormatter

#: The id of the request being served in this thread (``-`` outside requests).
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

access_logger = logging.getLogger("webhook_register.access")

_TEXT_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] [%(request_id)s] %(name)s: %(message)s"
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # access lines bring the id of the request they tell of
            record.request_id = current_request_id.get()
        return True


def formatter(style: str) -> logging.Formatter:
    """The formatter of the ``logging.format`` setting: ``json`` or ``text``."""
    if style == "json":
        return OrjsonFormatter(_JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level"})
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
