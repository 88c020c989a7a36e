"""Handlers for the dispatch tests, loaded by name (``tests.handlers:…``) as a user's would be.

They keep their state in files named by environment variables, so that worker processes and the test
that started them see the same state.
"""
import os
import time
from pathlib import Path

import orjson


def _state() -> Path:
    return Path(os.environ["TEST_HANDLER_STATE"])


def record(event) -> None:
    """Append the event's id and userid to the state file."""
    with open(_state(), "ab") as file:
        file.write(orjson.dumps({"id": event.id, "userid": event.hook.userid}) + b"\n")


def fail_twice_then_record(event) -> None:
    """Fail the first two attempts of each event (counted in files beside the state), then record it."""
    attempts = _state().with_name(f"attempts-{event.id}")
    count = int(attempts.read_text()) + 1 if attempts.exists() else 1
    attempts.write_text(str(count))
    if count <= 2:
        raise RuntimeError(f"failure number {count}")
    record(event)


def always_fail(event) -> None:
    """Never succeed."""
    raise RuntimeError("this handler always fails")


def slow_record(event) -> None:
    """Announce the start (so a test can kill the worker now), take a while, then record."""
    _state().with_name(f"started-{event.id}-{os.getpid()}").touch()
    time.sleep(float(os.environ.get("TEST_HANDLER_SECONDS", "3")))
    record(event)


def sometimes_fail(event) -> None:
    """Fail one attempt in five at random, else record the event."""
    import random

    if random.random() < 0.2:
        raise RuntimeError("random failure")
    record(event)
