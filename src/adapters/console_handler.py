"""The console handler: prints each trigger event as one JSON line."""
from __future__ import annotations

import sys
from typing import BinaryIO

from ..domain.payload import TriggerEvent
from ..domain.ports import WebhookHandler
from .hook_codec import encode_event


class ConsoleHandler(WebhookHandler):
    """Writes one JSON line per trigger to a stream (standard output by default), flushed at once.

    The flush makes each line show in the server's console as it happens, even when stdout is a pipe.
    The hook's secrets (token hash, signing secret) are never printed.
    """

    def __init__(self, stream: BinaryIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout.buffer

    def handle(self, event: TriggerEvent) -> None:
        """Print ``event`` (the hook, the caller's request) as one JSON line."""
        self._stream.write(encode_event(event) + b"\n")
        self._stream.flush()
