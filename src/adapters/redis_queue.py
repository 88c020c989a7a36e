"""The Redis event queue: a stream with a consumer group, a delayed set for retries, a dead-letter stream.

Key layout (``P`` is ``redis.key_prefix``); the three keys share the ``{events}`` hash tag, so every
script below touches one Redis Cluster slot:

===========================  ==========  ========================================================
key                          type        value
===========================  ==========  ========================================================
``P`` {events}:stream        stream      entries ``event`` (JSON) and ``attempt``; group ``workers``
``P`` {events}:retry         sorted set  JSON ``{"attempt", "event", "id"}`` scored by due time (ms)
``P`` {events}:dead          stream      entries ``event``, ``attempts``, ``error`` (capped length)
===========================  ==========  ========================================================

An entry is deleted from the stream as soon as it is acknowledged, retried or dead-lettered, so the
stream holds only the backlog and the events in hand; ``enqueue`` refuses when the backlog reaches its
bound. Nothing is acknowledged before its handler succeeded: a worker that dies leaves its entries
pending, and another worker claims them (XAUTOCLAIM) once they have been idle for the claim timeout.
"""
from __future__ import annotations

import re
import time

import orjson
import redis

from ..domain.dispatch import DeadLetter, Delivery, EventQueue, QueueFull
from ..domain.errors import StorageUnavailable
from ..domain.payload import TriggerEvent
from .hook_codec import decode_event, encode_event
from .redis_errors import redis_call

GROUP = "workers"
_ENTRY_ID_RE = re.compile(r"^[0-9]{1,20}-[0-9]{1,20}$")

_ENQUEUE_LUA = """
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', 'event', ARGV[2], 'attempt', '1')
"""

# Moves due retries back into the stream, each as a new entry carrying its attempt number.
_PROMOTE_LUA = """
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local retry = cjson.decode(member)
  redis.call('XADD', KEYS[1], '*', 'event', retry['event'], 'attempt', tostring(retry['attempt']))
  redis.call('ZREM', KEYS[2], member)
end
return #due
"""

_RETRY_LUA = """
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
"""

_DEAD_LUA = """
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'event', ARGV[3], 'attempts', ARGV[4], 'error', ARGV[5])
"""

_REPLAY_LUA = """
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return 0 end
local fields = found[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'event' then
    redis.call('XADD', KEYS[2], '*', 'event', fields[i + 1], 'attempt', '1')
  end
end
redis.call('XDEL', KEYS[1], ARGV[1])
return 1
"""


class RedisEventQueue(EventQueue):
    """The event queue on Redis streams; every Redis failure surfaces as ``StorageUnavailable``.

    Args:
        client: a redis-py client. Its socket timeout must exceed ``block_seconds`` of ``receive``.
        key_prefix: prepended to every key.
        max_backlog: the most entries the stream may hold before ``enqueue`` refuses.
        claim_idle_seconds: how long an entry may stay unacknowledged before another worker claims it.
        dead_letter_max: about how many dead letters are kept (the oldest go first).
    """

    def __init__(self, client: redis.Redis, key_prefix: str = "webhook:", max_backlog: int = 1_000_000,
                 claim_idle_seconds: float = 60.0, dead_letter_max: int = 100_000) -> None:
        self._client = client
        self.stream_key = f"{key_prefix}{{events}}:stream"
        self.retry_key = f"{key_prefix}{{events}}:retry"
        self.dead_key = f"{key_prefix}{{events}}:dead"
        self._max_backlog = max_backlog
        self._claim_idle_ms = int(claim_idle_seconds * 1000)
        self._dead_letter_max = dead_letter_max
        self._enqueue = client.register_script(_ENQUEUE_LUA)
        self._promote = client.register_script(_PROMOTE_LUA)
        self._retry = client.register_script(_RETRY_LUA)
        self._dead = client.register_script(_DEAD_LUA)
        self._replay = client.register_script(_REPLAY_LUA)

    def enqueue(self, event: TriggerEvent) -> str:
        """XADD the event unless the backlog is full (one script, one round trip)."""
        entry_id = redis_call("the event queue", self._enqueue, keys=[self.stream_key],
                              args=[self._max_backlog, encode_event(event)])
        if entry_id is None:
            raise QueueFull("the event queue is full")
        return entry_id.decode()

    def receive(self, consumer: str, count: int, block_seconds: float) -> list[Delivery]:
        """Promote due retries, claim entries idle past the timeout, else read new ones (blocking)."""
        redis_call("the event queue", self._promote, keys=[self.stream_key, self.retry_key],
                   args=[int(time.time() * 1000), count])
        claimed = self._with_group(lambda: self._client.xautoclaim(
            self.stream_key, GROUP, consumer, self._claim_idle_ms, "0-0", count=count))
        entries = [entry for entry in claimed[1] if entry and entry[1]]  # deleted entries come back empty
        if not entries:
            answer = self._with_group(lambda: self._client.xreadgroup(
                GROUP, consumer, {self.stream_key: ">"}, count=count, block=max(1, int(block_seconds * 1000))))
            entries = answer[0][1] if answer else []
        return [self._delivery(entry_id, fields) for entry_id, fields in entries]

    def ack(self, delivery: Delivery) -> None:
        """XACK and XDEL in one transaction (one key)."""
        pipe = self._client.pipeline(transaction=True)
        pipe.xack(self.stream_key, GROUP, delivery.entry_id)
        pipe.xdel(self.stream_key, delivery.entry_id)
        redis_call("the event queue", pipe.execute)

    def retry_later(self, delivery: Delivery, delay_seconds: float, error: str) -> None:
        """Atomically drop the entry and schedule its next attempt in the delayed set."""
        member = orjson.dumps({"attempt": delivery.attempt + 1, "event": encode_event(delivery.event).decode(),
                               "id": delivery.entry_id})
        due_ms = int((time.time() + delay_seconds) * 1000)
        redis_call("the event queue", self._retry, keys=[self.stream_key, self.retry_key],
                   args=[GROUP, delivery.entry_id, due_ms, member])

    def dead_letter(self, delivery: Delivery, error: str) -> None:
        """Atomically drop the entry and append it to the dead letters with its last error."""
        redis_call("the event queue", self._dead, keys=[self.stream_key, self.dead_key],
                   args=[GROUP, delivery.entry_id, encode_event(delivery.event), delivery.attempt, error,
                         self._dead_letter_max])

    def depth(self) -> int:
        """Stream length (backlog and in hand) plus delayed retries."""
        pipe = self._client.pipeline(transaction=False)
        pipe.xlen(self.stream_key)
        pipe.zcard(self.retry_key)
        return sum(redis_call("the event queue", pipe.execute))

    def dead_count(self) -> int:
        """XLEN of the dead-letter stream."""
        return redis_call("the event queue", self._client.xlen, self.dead_key)

    def dead_letters(self, count: int) -> list[DeadLetter]:
        """The newest dead letters."""
        entries = redis_call("the event queue", self._client.xrevrange, self.dead_key, count=count)
        letters = []
        for entry_id, fields in entries:
            letters.append(DeadLetter(entry_id.decode(), decode_event(fields[b"event"]),
                                      int(fields[b"attempts"]), fields[b"error"].decode(errors="replace")))
        return letters

    def replay(self, entry_id: str) -> bool:
        """Move a dead letter back into the stream (one script); False for an unknown or malformed id."""
        if not _ENTRY_ID_RE.fullmatch(entry_id):
            return False
        return bool(redis_call("the event queue", self._replay, keys=[self.dead_key, self.stream_key], args=[entry_id]))

    def _delivery(self, entry_id: bytes, fields: dict) -> Delivery:
        return Delivery(entry_id.decode(), decode_event(fields[b"event"]), int(fields[b"attempt"]))

    def _with_group(self, command):
        """Run a consumer-group command, creating the group (from the stream's start) on first use."""
        try:
            return redis_call("the event queue", command)
        except StorageUnavailable as exc:
            if not (isinstance(exc.__cause__, redis.ResponseError) and "NOGROUP" in str(exc.__cause__)):
                raise
        try:
            self._client.xgroup_create(self.stream_key, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):  # another worker created it meanwhile: fine
                raise StorageUnavailable(f"redis failed creating the consumer group: {exc}") from exc
        except redis.RedisError as exc:
            raise StorageUnavailable(f"redis failed creating the consumer group: {type(exc).__name__}") from exc
        return redis_call("the event queue", command)
