"""The python handler: a function named in configuration gets each event.

The name is ``package.module:function``, or the name of an entry point that an installed package
registers in the group ``webhook_register.handlers`` — how a user plugs in code without forking.
"""
from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Callable

from ..domain.payload import TriggerEvent
from ..domain.ports import WebhookHandler


class HandlerNotFound(ValueError):
    """The configured handler name does not name an importable callable."""


#: The entry point group installed packages register their handlers in.
ENTRY_POINT_GROUP = "webhook_register.handlers"


def load_function(name: str) -> Callable[[TriggerEvent], object]:
    """Return the callable ``name`` designates; raise ``HandlerNotFound`` saying why there is none."""
    if ":" not in name:
        found = entry_points(group=ENTRY_POINT_GROUP, name=name)
        if not found:
            raise HandlerNotFound(f"handler {name!r}: no installed package registers it in {ENTRY_POINT_GROUP}")
        try:
            function = next(iter(found)).load()
        except Exception as exc:  # an installed package's import error, whatever it is
            raise HandlerNotFound(f"handler {name!r}: its entry point does not load: {exc}") from None
        if not callable(function):
            raise HandlerNotFound(f"handler {name!r}: its entry point is not callable")
        return function
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
