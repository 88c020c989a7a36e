"""The queue worker: ``webhook-register worker`` runs one, and ``serve`` can run one beside the server."""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

from ..adapters.redis_server import die_with_parent
from ..domain.errors import StorageUnavailable
from .containers import Container

logger = logging.getLogger("webhook_register")

#: How long to wait before asking Redis again after it failed: short, so the worker recovers quickly.
_OUTAGE_PAUSE_SECONDS = 1.0


def run_worker(container: Container) -> int:
    """Handle queued events until SIGTERM or SIGINT; finish the event in hand, then return 0.

    A Redis outage pauses the worker, which resumes by itself when Redis is back.
    """
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    dispatcher = container.dispatcher(consumer=consumer)
    # Block for new events at most half the socket timeout, so that a blocked read never times out.
    block_seconds = container.config.redis.socket_timeout() / 2
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    logger.info("worker %s handling queued events", consumer)
    while not stopping.is_set():
        try:
            dispatcher.run_once(block_seconds=block_seconds, keep_going=lambda: not stopping.is_set())
        except StorageUnavailable as exc:
            logger.warning("worker %s: %s; retrying in %.0f s", consumer, exc, _OUTAGE_PAUSE_SECONDS)
            stopping.wait(_OUTAGE_PAUSE_SECONDS)
    logger.info("worker %s stopped", consumer)
    return 0


@contextlib.contextmanager
def worker_process(config_path: Path, environment: dict[str, str]) -> Iterator[subprocess.Popen]:
    """Run ``webhook-register worker`` as a child for the duration of the block; stop it on exit.

    Args:
        config_path: the configuration file the worker reads.
        environment: variables that point the worker at the same Redis as the server.
    """
    owner_pid = os.getpid()
    process = subprocess.Popen(
        [sys.executable, "-m", "webhook_register.entrypoints.cli", "worker", "--config", str(config_path)],
        env={**os.environ, **environment},
        stdin=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    try:
        yield process
    finally:
        if os.getpid() == owner_pid and process.poll() is None:  # gunicorn workers unwind through here too
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
