"""Handlers named in configuration: by module and function, or by a package's entry point."""
import sys
import textwrap

import pytest

from webhook_register.adapters.python_handler import HandlerNotFound, PythonHandler, load_function
from webhook_register.entrypoints.config import ConfigError
from webhook_register.entrypoints.containers import build_container


@pytest.fixture
def tiny_package(tmp_path, monkeypatch):
    """A tiny installed package (module + dist-info) that registers one handler as an entry point."""
    (tmp_path / "tiny_handler.py").write_text(textwrap.dedent("""
        SEEN = []

        def handle(event):
            SEEN.append(event)
    """))
    dist = tmp_path / "tiny_handler-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-handler\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[webhook_register.handlers]\ntiny = tiny_handler:handle\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("tiny_handler", None)


def test_a_handler_registered_by_an_entry_point_is_found_by_name(tiny_package):
    handler = PythonHandler("tiny")
    handler.handle("an event")
    assert sys.modules["tiny_handler"].SEEN == ["an event"]


def test_a_module_function_is_found():
    assert load_function("json:dumps") is __import__("json").dumps


@pytest.mark.parametrize("name", ["nosuchmodule:f", "json:nosuchfunction", "json:__doc__", "no-such-entry-point", "json"])
def test_a_bad_name_says_why(name):
    with pytest.raises(HandlerNotFound) as caught:
        load_function(name)
    assert repr(name) in str(caught.value)


def test_a_bad_handler_stops_start_up_with_one_line(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("dispatch:\n  handler: nosuchmodule:handle\n")
    with pytest.raises(ConfigError) as caught:
        build_container(str(config))
    assert "dispatch.handler" in str(caught.value) and "\n" not in str(caught.value)
