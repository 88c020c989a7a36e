"""The trigger history in Redis: per hook, a hash of entries by event id and a sorted set ordering them.

Keys (``P`` the prefix, ``ID`` the hook id, in the hook's hash tag, so each script touches one slot):
``P`` hook:{``ID``}:history — hash, event id → entry JSON (``history_codec``);
``P`` hook:{``ID``}:history:order — sorted set of ``<received µs>.<event id>`` at score 0. Both expire
``ttl_seconds`` after the hook's last trigger, so a forgotten hook's history does not stay forever.
"""
from __future__ import annotations

import redis

from ..domain.history import HistoryEntry, HistoryPage, TriggerHistory
from ..domain.payload import TriggerEvent
from .history_codec import decode_entry, decode_entry_event, encode_entry, history_member
from .listing import check_history_cursor
from .redis_errors import redis_call

# KEYS: entries hash, order set. ARGV: event id, order member, entry JSON, entries to keep, TTL in ms.
RECORD_LUA = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then redis.call('ZADD', KEYS[2], 0, ARGV[2]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if extra > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, extra - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
  for _, member in ipairs(oldest) do redis.call('HDEL', KEYS[1], string.sub(member, 22)) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
"""

# KEYS: entries hash. ARGV: event id, outcome, attempts, last error, handler ms.
_SETTLE_LUA = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local entry = cjson.decode(current)
entry['outcome'] = ARGV[2]
entry['attempts'] = tonumber(ARGV[3])
entry['last_error'] = ARGV[4]
entry['handler_ms'] = tonumber(ARGV[5])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
return 1
"""


class RedisTriggerHistory(TriggerHistory):
    """Each hook's bounded history in two keys of the hook's slot; failures become ``StorageUnavailable``."""

    def __init__(self, client: redis.Redis, key_prefix: str = "webhook:", ttl_seconds: int = 7 * 86400) -> None:
        self._client = client
        self._prefix = key_prefix
        self._ttl_ms = ttl_seconds * 1000
        self._record = client.register_script(RECORD_LUA)
        self._settle = client.register_script(_SETTLE_LUA)

    def _keys(self, hook_id: str) -> list[str]:
        entries = f"{self._prefix}hook:{{{hook_id}}}:history"
        return [entries, f"{entries}:order"]

    def record(self, hook_id: str, entry: HistoryEntry, event: TriggerEvent | None, keep: int) -> None:
        """One script: add or replace the entry, trim to ``keep``, refresh the expiry."""
        redis_call("history", self._record, keys=self._keys(hook_id),
                   args=[entry.event_id, history_member(entry), encode_entry(entry, event), keep, self._ttl_ms])

    def settle(self, hook_id: str, event_id: str, outcome: str, attempts: int, last_error: str,
               handler_ms: float) -> None:
        """One script: update the kept entry's outcome."""
        redis_call("history", self._settle, keys=self._keys(hook_id)[:1],
                   args=[event_id, outcome, attempts, last_error, round(handler_ms, 3)])

    def page(self, hook_id: str, limit: int, cursor: str | None = None) -> HistoryPage:
        """A range of the order set, then the entries in one HMGET."""
        entries_key, order_key = self._keys(hook_id)
        bound = "(" + check_history_cursor(cursor) if cursor else "+"
        members = [m.decode() for m in redis_call("history", self._client.zrevrangebylex, order_key, bound, "-",
                                                  start=0, num=limit + 1)]
        shown = members[:limit]
        documents = redis_call("history", self._client.hmget, entries_key, [m[21:] for m in shown]) if shown else []
        entries = [decode_entry(document) for document in documents if document is not None]
        return HistoryPage(entries, shown[-1] if len(members) > limit else None)

    def replayable(self, hook_id: str, event_id: str) -> tuple[HistoryEntry, TriggerEvent] | None:
        """The entry and the event kept with it, if any."""
        document = redis_call("history", self._client.hget, self._keys(hook_id)[0], event_id)
        event = decode_entry_event(document) if document else None
        return (decode_entry(document), event) if event is not None else None

    def forget(self, hook_id: str) -> None:
        """Delete both keys."""
        redis_call("history", self._client.delete, *self._keys(hook_id))
