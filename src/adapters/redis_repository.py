"""The Redis repository: one string key per hook holding its JSON document, and a per-user index.

Key layout (``P`` is the configured ``redis.key_prefix``, ``ID`` a well-formed hook id, ``USER`` a
checked userid, ``D`` a SHA-256 hex digest):

==============================  ======  ===========================================================
key                             type    value
==============================  ======  ===========================================================
``P`` hook:{``ID``}             string  the hook's JSON document (``hook_codec``); TTL = its expiry
``P`` hook:{``ID``}:rate        string  triggers counted in the current 60 s window (PX 60000)
``P`` hook:{``ID``}:seen:``D``  string  a handled delivery id (webhook-id / Idempotency-Key), PX window
``P`` user:{``USER``}:hooks     zset    ``<creation µs, 20 digits>.<ID>``, score 0 (``listing``)
==============================  ======  ===========================================================

Every key of one hook carries the id as its ``{…}`` hash tag, so the atomic trigger script (the hook
and its rate counter) touches one Redis Cluster slot. The user index lives in the user's slot; it is
written in the same round trip as the hook, index entry first, so that no stored hook is ever missing
from its index; an entry whose hook expired or vanished is dropped when a listing meets it.
"""
from __future__ import annotations

import redis

from ..domain.errors import StorageUnavailable, WebhookIdTaken
from ..domain.model import Webhook
from ..domain.ports import Admission, Page, WebhookRepository
from .hook_codec import decode_hook, encode_hook
from .redis_errors import redis_call
from .listing import check_cursor, hook_id_of, index_entry

RATE_WINDOW_MS = 60_000

# Loads the hook and counts the trigger in one step, so the limit holds across every worker and host.
# KEYS: hook, rate counter (one slot). ARGV: default limit per window, window in ms.
# Returns nil for no hook, else {document, ms until the window ends when over the limit, or 0}.
ADMIT_LUA = """
local document = redis.call('GET', KEYS[1])
if not document then return false end
local limit = tonumber(ARGV[1])
-- Most hooks keep the default limit, and their documents do not mention it: decode only those that do.
if string.find(document, '"rate_limit":', 1, true) then
  local ok, hook = pcall(cjson.decode, document)
  if ok and type(hook) == 'table' and type(hook['rate_limit']) == 'number' then limit = hook['rate_limit'] end
end
if limit <= 0 then return {document, 0} end
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if count > limit then
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl < 1 then ttl = 1 end
  return {document, ttl}
end
return {document, 0}
"""


class RedisWebhookRepository(WebhookRepository):
    """Stores hooks in Redis; every Redis failure surfaces as the domain's ``StorageUnavailable``.

    Args:
        client: a redis-py client (its pool, timeouts and retry policy are the caller's choice).
        key_prefix: prepended to every key, so several deployments can share one Redis.
    """

    def __init__(self, client: redis.Redis, key_prefix: str = "webhook:") -> None:
        self._client = client
        self._prefix = key_prefix
        self._admit = client.register_script(ADMIT_LUA)

    def hook_key(self, hook_id: str) -> str:
        """Return the Redis key of the hook ``hook_id`` (a well-formed id, never raw input)."""
        return f"{self._prefix}hook:{{{hook_id}}}"

    def user_index_key(self, userid: str) -> str:
        """Return the key of a user's index (a checked userid: no braces, no spaces)."""
        return f"{self._prefix}user:{{{userid}}}:hooks"

    def add(self, hook: Webhook, expires_in: int | None = None) -> None:
        """Index and store a new hook in one round trip; ``SET NX`` so a taken id is never overwritten."""
        index_key = self.user_index_key(hook.userid)
        pipe = self._client.pipeline(transaction=False)
        pipe.zadd(index_key, {index_entry(hook): 0})
        pipe.set(self.hook_key(hook.id), encode_hook(hook), nx=True, ex=expires_in)
        stored = redis_call("register", pipe.execute)[1]
        if not stored:
            # Only the index entry is ours; the hook under this id belongs to someone else.
            redis_call("register", self._client.zrem, index_key, index_entry(hook))
            raise WebhookIdTaken(hook.id)

    def get(self, hook_id: str) -> Webhook | None:
        """Return the hook stored under ``hook_id``, or None."""
        return self._decode(hook_id, redis_call("read", self._client.get, self.hook_key(hook_id)))

    def replace(self, hook: Webhook) -> bool:
        """Overwrite with ``SET XX KEEPTTL``: a hook deleted meanwhile is not brought back."""
        stored = redis_call("update", self._client.set, self.hook_key(hook.id), encode_hook(hook),
                            xx=True, keepttl=True)
        return bool(stored)

    def delete(self, hook: Webhook) -> bool:
        """Delete the hook (triggers see it gone at once), its rate counter, then its index entry, in one
        round trip."""
        pipe = self._client.pipeline(transaction=False)
        pipe.delete(self.hook_key(hook.id))
        pipe.delete(f"{self.hook_key(hook.id)}:rate")
        pipe.zrem(self.user_index_key(hook.userid), index_entry(hook))
        return bool(redis_call("delete", pipe.execute)[0])

    def list_by_user(self, userid: str, limit: int, cursor: str | None = None) -> Page:
        """Walk the user's index newest first from ``cursor``, reading the hooks of a page in one round trip."""
        index_key = self.user_index_key(userid)
        bound = "(" + check_cursor(cursor) if cursor else "+"
        live: list[tuple[str, Webhook]] = []
        # A pass reads limit + 1 entries and their hooks; another pass runs only to replace entries
        # whose hooks expired or were deleted (they are dropped from the index on the way).
        while len(live) <= limit:
            entries = [e.decode() for e in redis_call(
                "list", self._client.zrevrangebylex, index_key, bound, "-", start=0, num=limit + 1)]
            if not entries:
                break
            pipe = self._client.pipeline(transaction=False)
            for entry in entries:
                pipe.get(self.hook_key(hook_id_of(entry)))
            documents = redis_call("list", pipe.execute)
            gone = [entry for entry, document in zip(entries, documents) if document is None]
            live += [(entry, self._decode(hook_id_of(entry), document))
                     for entry, document in zip(entries, documents) if document is not None]
            if gone:
                redis_call("list", self._client.zrem, index_key, *gone)
            if len(entries) <= limit:
                break
            bound = "(" + entries[-1]
        page = live[:limit]
        next_cursor = page[-1][0] if len(live) > limit else None
        return Page([hook for _, hook in page], next_cursor)

    def admit(self, hook_id: str, default_rate_limit: int) -> Admission | None:
        """Run the admit script: one round trip loads the hook and counts the trigger."""
        result = redis_call("trigger", self._admit, keys=[self.hook_key(hook_id), f"{self.hook_key(hook_id)}:rate"],
                            args=[default_rate_limit, RATE_WINDOW_MS])
        if result is None:
            return None
        document, retry_after_ms = result
        return Admission(self._decode(hook_id, document), int(retry_after_ms) / 1000)

    def remember_delivery(self, hook_id: str, key: str, ttl_seconds: int) -> bool:
        """``SET NX PX`` of the delivery's key: True the first time within the window."""
        return bool(redis_call("trigger", self._client.set, self._delivery_key(hook_id, key), b"1",
                               nx=True, ex=ttl_seconds))

    def forget_delivery(self, hook_id: str, key: str) -> None:
        """Delete the delivery's key."""
        redis_call("trigger", self._client.delete, self._delivery_key(hook_id, key))

    def _delivery_key(self, hook_id: str, key: str) -> str:
        """The key of one delivery; ``key`` is a hex digest, never the raw header."""
        return f"{self.hook_key(hook_id)}:seen:{key}"


    @staticmethod
    def _decode(hook_id: str, document: bytes | None) -> Webhook | None:
        """Decode a stored document; an unreadable one is a storage fault."""
        if document is None:
            return None
        try:
            return decode_hook(hook_id, document)
        except ValueError as exc:
            raise StorageUnavailable(f"stored webhook {hook_id} is unreadable") from exc
