"""Fixtures for every test."""
import logging

import pytest


@pytest.fixture(autouse=True)
def restore_root_logging():
    """Undo what a test's ``configure_logging`` (the CLI calls it) did to the root logger, so that no later
    log line, written by a background thread, goes to a stream pytest has closed."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
