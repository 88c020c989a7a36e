"""The lean baseline: the same Redis work as the service in the fewest lines of Falcon and redis-py —
no container, schemas or ports.

Register: a management token and its SHA-256, then one round trip that adds the per-user index entry and
``SET NX``es the JSON document. Trigger: the service's own admit script (load the hook and count the
trigger for the rate limit, one round trip), print the document, then record the trigger with the
service's own history script (a second round trip). It uses the same fast parts the
service uses (orjson, hiredis, the same keys), so the ratio service ÷ baseline measures only what the
service's layers and checks cost, not the Redis work every implementation of the features must do.
"""
import base64
import hashlib
import secrets
import sys
from datetime import datetime, timezone

import falcon
import falcon.media
import orjson
import redis

from webhook_register.adapters.redis_history import RECORD_LUA
from webhook_register.adapters.redis_repository import ADMIT_LUA


class Register:
    """POST /webhook: index and store {"userid", "arguments", "created", "token_sha256"}."""

    def __init__(self, client):
        self.client = client

    def on_post(self, req, resp):
        form = req.get_media(default_when_empty={})
        userid = form.pop("userid", None)
        if not isinstance(userid, str) or not userid:
            raise falcon.HTTPBadRequest(description="userid is required")
        hook_id, token, now = secrets.token_urlsafe(16), "whr_" + secrets.token_urlsafe(32), datetime.now(timezone.utc)
        token_hash = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
        document = {"userid": userid, "arguments": form, "created": now, "token_sha256": token_hash}
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(f"webhook:user:{{{userid}}}:hooks", {f"{int(now.timestamp() * 1e6):020d}.{hook_id}": 0})
        pipe.set(f"webhook:hook:{{{hook_id}}}", orjson.dumps(document, option=orjson.OPT_UTC_Z), nx=True)
        pipe.execute()
        resp.media = {"id": hook_id, "url": f"{req.prefix}/webhook/{hook_id}", "token": token}


#: The default rate limit the service is configured with (triggers per minute per hook).
RATE_LIMIT = 600


class Trigger:
    """GET|POST /webhook/{id}: admit (load + count), print the document, record it, answer 201."""

    def __init__(self, client):
        self.admit = client.register_script(ADMIT_LUA)
        self.record = client.register_script(RECORD_LUA)

    def on_get(self, req, resp, hook_id):
        key = f"webhook:hook:{{{hook_id}}}"
        result = self.admit(keys=[key, f"{key}:rate"], args=[RATE_LIMIT, 60_000])
        if result is None:
            raise falcon.HTTPNotFound()
        if result[1]:
            raise falcon.HTTPTooManyRequests()
        sys.stdout.buffer.write(result[0] + b"\n")
        sys.stdout.buffer.flush()
        entry = orjson.dumps({"event_id": secrets.token_hex(16), "received_at": datetime.now(timezone.utc),
                              "method": req.method, "outcome": "delivered", "event": result[0].decode()},
                             option=orjson.OPT_UTC_Z)
        self.record(keys=[f"{key}:history"], args=[entry, 20, 604_800_000])
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
