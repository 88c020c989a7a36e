"""The console handler: prints each triggered hook's stored JSON document as one line."""
from __future__ import annotations

import sys
from typing import BinaryIO

from ..domain.model import Webhook
from ..domain.ports import WebhookHandler
from .hook_codec import encode_hook


class ConsoleHandler(WebhookHandler):
    """Writes one JSON line per trigger to a stream (standard output by default), flushed at once.

    The flush makes each line show in the server's console as it happens, even when stdout is a pipe.
    """

    def __init__(self, stream: BinaryIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout.buffer

    def handle(self, hook: Webhook) -> None:
        """Print ``hook`` as its stored JSON document on one line."""
        self._stream.write(encode_hook(hook) + b"\n")
        self._stream.flush()
