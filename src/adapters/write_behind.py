"""A buffer that a background thread drains in batches: for what a request must record but need not wait
for (trigger history, access lines, metrics).

Appending costs a request a few hundred nanoseconds; the work itself runs later, a batch at a time,
which is also cheaper per item than doing it in each request (its code stays hot in the CPU's caches).
What is buffered when a process is killed with SIGKILL is lost; a normal exit writes it (atexit).
"""
from __future__ import annotations

import atexit
import os
import threading
import time
from collections import deque
from typing import Callable, Generic, TypeVar

Item = TypeVar("Item")


class WriteBehind(Generic[Item]):
    """Hands the items appended to it to ``write_batch``, from a thread, at most ``interval`` seconds late.

    Args:
        write_batch: writes a list of items in their order; it runs in the thread, or in the caller of
            :meth:`flush`, never in two at once. An exception it raises is the caller's to report: it
            should catch and log what it expects.
        name: the thread's name.
        interval: how long the thread waits after the first item to gather a batch.
        max_buffered: items kept while the thread catches up; beyond them :meth:`append` refuses.
    """

    def __init__(self, write_batch: Callable[[list[Item]], None], name: str, interval: float = 0.005,
                 max_buffered: int = 100_000) -> None:
        self._write_batch = write_batch
        self._name = name
        self._interval = interval
        self._max_buffered = max_buffered
        self._pid: int | None = None
        self._buffer: deque[Item] = deque()
        self._wake = threading.Event()
        self._flush_lock = threading.Lock()
        self._start_lock = threading.Lock()

    def append(self, item: Item) -> bool:
        """Buffer ``item``; False (and nothing buffered) when the buffer is full."""
        if self._pid != os.getpid():
            self._start_thread()
        if len(self._buffer) >= self._max_buffered:
            return False
        self._buffer.append(item)
        if not self._wake.is_set():
            self._wake.set()
        return True

    def flush(self) -> None:
        """Write everything buffered so far, now, in the calling thread."""
        with self._flush_lock:
            batch = []
            while self._buffer:
                batch.append(self._buffer.popleft())
            if batch:
                self._write_batch(batch)

    def _start_thread(self) -> None:
        """Start the thread in this process (again after a fork: threads do not survive one)."""
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._buffer = deque()
            self._wake = threading.Event()
            self._flush_lock = threading.Lock()
            threading.Thread(target=self._run, name=self._name, daemon=True).start()
            atexit.register(self.flush)
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self._interval)  # gather a batch
            self._wake.clear()
            self.flush()
