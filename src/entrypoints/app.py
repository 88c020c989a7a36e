"""The Falcon WSGI application factory."""
from __future__ import annotations

import falcon
import falcon.media
import orjson

from ..domain.service import WebhookService
from .http_errors import install_error_handlers
from .resources import RegistrationResource, TriggerResource


def create_app(service: WebhookService, max_body_bytes: int = 65536) -> falcon.App:
    """Return the WSGI app serving the webhook API on ``service``.

    Args:
        service: the webhook use cases, already wired to their adapters.
        max_body_bytes: the largest registration body accepted (413 above).
    """
    app = falcon.App()
    # orjson encodes and decodes several times faster than the standard json module.
    json_handler = falcon.media.JSONHandler(dumps=orjson.dumps, loads=orjson.loads)
    app.req_options.media_handlers[falcon.MEDIA_JSON] = json_handler
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = json_handler
    install_error_handlers(app)
    app.add_route("/webhook", RegistrationResource(service, max_body_bytes))
    app.add_route("/webhook/{hook_id}", TriggerResource(service))
    return app
