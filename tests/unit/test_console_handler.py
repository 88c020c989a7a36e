"""The console handler prints one flushed JSON line per trigger."""
import io

import orjson

from webhook_register.adapters.console_handler import ConsoleHandler
from webhook_register.adapters.hook_codec import encode_hook
from webhook_register.domain.model import Webhook, new_hook_id


def test_each_trigger_prints_the_stored_document_on_one_line():
    stream = io.BytesIO()
    handler = ConsoleHandler(stream)
    hook = Webhook(new_hook_id(), "testuser", {"text": "two\nlines"})

    handler.handle(hook)
    handler.handle(hook)

    lines = stream.getvalue().splitlines()
    assert lines == [encode_hook(hook)] * 2
    assert orjson.loads(lines[0])["userid"] == "testuser"
