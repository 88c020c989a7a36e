"""The trigger history in Redis: per hook, one capped list of entries, newest first.

Key (``P`` the prefix, ``ID`` the hook id, in the hook's hash tag): ``P`` hook:{``ID``}:history — a list
of entry JSON documents (``history_codec``), at most the configured size, newest at the head. It
expires ``ttl_seconds`` after the hook's last trigger, so a forgotten hook's history does not stay.

Recording a trigger costs three cheap commands in one script (LPUSH, LTRIM, PEXPIRE); reading and
settling scan the list, whose length is bounded by the configured size.
"""
from __future__ import annotations

import redis

from ..domain.history import HistoryEntry, HistoryPage
from ..domain.payload import TriggerEvent
from .history_codec import decode_entry, decode_entry_event, encode_entry, event_id_marker, page_after
from .redis_errors import redis_call
from .write_behind_history import BatchWriter, Write

# KEYS: the history list. ARGV: entry JSON, entries to keep, TTL in ms.
RECORD_LUA = """
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
"""

# KEYS: the history list. ARGV: the entry's event-id marker, outcome, attempts, last error, handler ms.
_SETTLE_LUA = """
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
for index, document in ipairs(entries) do
  if string.find(document, ARGV[1], 1, true) then
    local entry = cjson.decode(document)
    entry['outcome'] = ARGV[2]
    entry['attempts'] = tonumber(ARGV[3])
    entry['last_error'] = ARGV[4]
    entry['handler_ms'] = tonumber(ARGV[5])
    redis.call('LSET', KEYS[1], index - 1, cjson.encode(entry))
    return 1
  end
end
return 0
"""


class RedisTriggerHistory(BatchWriter):
    """Each hook's bounded history in one key of the hook's slot; failures become ``StorageUnavailable``."""

    def __init__(self, client: redis.Redis, key_prefix: str = "webhook:", ttl_seconds: int = 7 * 86400) -> None:
        self._client = client
        self._prefix = key_prefix
        self._ttl_ms = ttl_seconds * 1000
        self._record = client.register_script(RECORD_LUA)
        self._settle = client.register_script(_SETTLE_LUA)

    def history_key(self, hook_id: str) -> str:
        """The key of a hook's history (a well-formed hook id)."""
        return f"{self._prefix}hook:{{{hook_id}}}:history"

    def record(self, hook_id: str, entry: HistoryEntry, event: TriggerEvent | None, keep: int) -> None:
        """One script: push the entry, trim to ``keep``, refresh the expiry."""
        redis_call("history", self._record, keys=[self.history_key(hook_id)],
                   args=[encode_entry(entry, event), keep, self._ttl_ms])

    def settle(self, hook_id: str, event_id: str, outcome: str, attempts: int, last_error: str,
               handler_ms: float) -> None:
        """One script: find the entry and update its outcome."""
        redis_call("history", self._settle, keys=[self.history_key(hook_id)],
                   args=self._settle_args(event_id, outcome, attempts, last_error, handler_ms))

    def write_batch(self, writes: list[Write]) -> None:
        """Every write's script in one pipeline: one round trip for the whole batch."""
        pipe = self._client.pipeline(transaction=False)
        for kind, args in writes:
            if kind == "record":
                hook_id, entry, event, keep = args
                self._record(keys=[self.history_key(hook_id)], args=[encode_entry(entry, event), keep, self._ttl_ms],
                             client=pipe)
            else:
                hook_id, *rest = args
                self._settle(keys=[self.history_key(hook_id)], args=self._settle_args(*rest), client=pipe)
        redis_call("history", pipe.execute)

    @staticmethod
    def _settle_args(event_id: str, outcome: str, attempts: int, last_error: str, handler_ms: float) -> list:
        return [event_id_marker(event_id), outcome, attempts, last_error, round(handler_ms, 3)]

    def page(self, hook_id: str, limit: int, cursor: str | None = None) -> HistoryPage:
        """Read the (bounded) list and return the page after ``cursor``."""
        return page_after(self._documents(hook_id), limit, cursor)

    def replayable(self, hook_id: str, event_id: str) -> tuple[HistoryEntry, TriggerEvent] | None:
        """The entry and the event kept with it, if any."""
        marker = event_id_marker(event_id).encode()
        for document in self._documents(hook_id):
            if marker in document:
                event = decode_entry_event(document)
                return (decode_entry(document), event) if event is not None else None
        return None

    def forget(self, hook_id: str) -> None:
        """Delete the list."""
        redis_call("history", self._client.delete, self.history_key(hook_id))

    def _documents(self, hook_id: str) -> list[bytes]:
        return redis_call("history", self._client.lrange, self.history_key(hook_id), 0, -1)
