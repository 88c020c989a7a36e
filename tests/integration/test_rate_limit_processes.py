"""The rate limit holds across processes: two gunicorn workers share one counter in Redis."""
from collections import Counter

from tests.integration.processes import ServeProcess, free_port, request, write_config


def test_the_limit_holds_across_two_workers(tmp_path):
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, {"embedded": True, "data_dir": str(tmp_path / "data")},
                          workers=2)
    with ServeProcess(config, port, tmp_path / "serve.log", workers=2):
        status, _, body = request(port, "POST", "/webhook", form={"userid": "limited", "rate_limit": "5"})
        assert status == 200, body
        # Each request opens its own connection, so the kernel spreads them over both workers.
        answers = [request(port, "POST", f"/webhook/{body['id']}") for _ in range(20)]

    statuses = Counter(status for status, _, _ in answers)
    assert statuses == {201: 5, 429: 15}
    retry_after = {int(headers["retry-after"]) for status, headers, _ in answers if status == 429}
    assert retry_after and all(1 <= seconds <= 60 for seconds in retry_after)
