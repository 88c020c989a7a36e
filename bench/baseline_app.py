"""The lean baseline: the same Redis work as the service (SET NX of the JSON document on register,
GET and print on trigger) in the fewest lines of Falcon and redis-py — no container, schemas or ports.

It uses the same fast parts the service uses (orjson, hiredis, the same key layout), so the ratio
service ÷ baseline measures only what the service's layers and checks cost.
"""
import secrets
import sys
from datetime import datetime, timezone

import falcon
import falcon.media
import orjson
import redis


class Register:
    """POST /webhook: store {"id", "userid", "arguments", "created"} under webhook:hook:{id}."""

    def __init__(self, client):
        self.client = client

    def on_post(self, req, resp):
        form = req.get_media(default_when_empty={})
        userid = form.pop("userid", None)
        if not isinstance(userid, str) or not userid:
            raise falcon.HTTPBadRequest(description="userid is required")
        hook_id = secrets.token_urlsafe(16)
        document = {"id": hook_id, "userid": userid, "arguments": form, "created": datetime.now(timezone.utc)}
        self.client.set(f"webhook:hook:{{{hook_id}}}", orjson.dumps(document, option=orjson.OPT_UTC_Z), nx=True)
        resp.media = {"id": hook_id, "url": f"{req.prefix}/webhook/{hook_id}"}


class Trigger:
    """GET|POST /webhook/{id}: read the document, print it, answer 201."""

    def __init__(self, client):
        self.client = client

    def on_get(self, req, resp, hook_id):
        document = self.client.get(f"webhook:hook:{{{hook_id}}}")
        if document is None:
            raise falcon.HTTPNotFound()
        sys.stdout.buffer.write(document + b"\n")
        sys.stdout.buffer.flush()
        resp.status = falcon.HTTP_201
        resp.media = {"message": "web hook triggered"}

    on_post = on_get


def create_app(redis_port: int, redis_db: int = 0) -> falcon.App:
    """Return the baseline app talking to the Redis on 127.0.0.1:redis_port."""
    client = redis.Redis(port=redis_port, db=redis_db)
    app = falcon.App()
    handler = falcon.media.JSONHandler(dumps=orjson.dumps, loads=orjson.loads)
    app.req_options.media_handlers[falcon.MEDIA_JSON] = handler
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = handler
    app.add_route("/webhook", Register(client))
    app.add_route("/webhook/{hook_id}", Trigger(client))
    return app
