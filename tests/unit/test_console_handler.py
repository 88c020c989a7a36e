"""The console handler prints one flushed JSON line per trigger, without the hook's secrets."""
import io
from datetime import datetime, timezone

import orjson

from webhook_register.adapters.console_handler import ConsoleHandler
from webhook_register.domain.model import Webhook, new_hook_id
from webhook_register.domain.payload import TriggerEvent


def test_each_trigger_prints_its_event_on_one_line_without_secrets():
    stream = io.BytesIO()
    hook = Webhook(new_hook_id(), "testuser", {"text": "two\nlines"}, signature_scheme="github",
                   token_hash="TOKENHASH", signing_secret="SIGNINGSECRET123")
    event = TriggerEvent("req-1", hook, "POST", {"q": "1"}, {"user-agent": "curl"}, "json", {"a": 1},
                         datetime(2026, 11, 28, tzinfo=timezone.utc))

    ConsoleHandler(stream).handle(event)
    ConsoleHandler(stream).handle(event)

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[0] == lines[1]
    printed = orjson.loads(lines[0])
    assert printed["hook"]["userid"] == "testuser" and printed["body"] == {"a": 1}
    assert printed["event_id"] == "req-1" and printed["method"] == "POST"
    assert b"TOKENHASH" not in lines[0] and b"SIGNINGSECRET123" not in lines[0]
