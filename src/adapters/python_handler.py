"""The python handler: a function named in configuration (``package.module:function``) gets each event."""
from __future__ import annotations

import importlib
from typing import Callable

from ..domain.payload import TriggerEvent
from ..domain.ports import WebhookHandler


class HandlerNotFound(ValueError):
    """The configured handler name does not name an importable callable."""


def load_function(name: str) -> Callable[[TriggerEvent], object]:
    """Import ``package.module:function`` and return the callable; raise ``HandlerNotFound`` saying why."""
    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute:
        raise HandlerNotFound(f"handler {name!r} must look like package.module:function")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise HandlerNotFound(f"handler {name!r}: cannot import {module_name}: {exc}") from None
    function = getattr(module, attribute, None)
    if not callable(function):
        raise HandlerNotFound(f"handler {name!r}: {module_name} has no callable {attribute}")
    return function


class PythonHandler(WebhookHandler):
    """Calls a user's function with each event; whatever it raises counts as a failed delivery."""

    def __init__(self, name: str) -> None:
        self._function = load_function(name)

    def handle(self, event: TriggerEvent) -> None:
        """Call the function with ``event``."""
        self._function(event)
