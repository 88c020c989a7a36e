"""History written behind: writes land in order, reads see this process's writes, failures only warn."""
from datetime import datetime, timezone

from tests.integration.processes import wait_for
from webhook_register.adapters.memory_history import InMemoryTriggerHistory
from webhook_register.adapters.write_behind_history import WriteBehindHistory
from webhook_register.domain.errors import StorageUnavailable
from webhook_register.domain.history import DEAD, DELIVERED, QUEUED, HistoryEntry

T0 = datetime(2026, 11, 28, tzinfo=timezone.utc)


def entry(n, outcome=QUEUED):
    return HistoryEntry(f"evt-{n}", T0, "POST", 0, "", outcome)


def test_writes_land_in_order_and_reads_see_them_at_once():
    inner = InMemoryTriggerHistory()
    history = WriteBehindHistory(inner, interval=0.001)
    history.record("h", entry(1), None, keep=10)
    history.settle("h", "evt-1", DEAD, 3, "boom", 1.0)
    history.record("h", entry(2, DELIVERED), None, keep=10)
    assert [(e.event_id, e.outcome) for e in history.page("h", 10).entries] == [("evt-2", DELIVERED), ("evt-1", DEAD)]


def test_the_thread_writes_without_being_asked():
    inner = InMemoryTriggerHistory()
    history = WriteBehindHistory(inner, interval=0.001)
    history.record("h", entry(1), None, keep=10)
    wait_for(lambda: inner.page("h", 10).entries, timeout=5)


class DownHistory(InMemoryTriggerHistory):
    def record(self, *args):
        raise StorageUnavailable("down")


def test_a_storage_failure_drops_the_batch_with_a_warning(caplog):
    history = WriteBehindHistory(DownHistory(), interval=0.001)
    history.record("h", entry(1), None, keep=10)
    history.flush()
    assert "writes dropped" in caplog.text
    assert history.page("h", 10).entries == []
