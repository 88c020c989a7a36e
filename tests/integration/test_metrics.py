"""/metrics counts correctly across two gunicorn workers, and only for allowed networks."""
import re
import time
import urllib.request

from falcon import testing

from tests.integration.processes import ServeProcess, free_port, request, wait_for, write_config
from tests.unit.test_http_api import make_container


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def value(text, name, **labels):
    wanted = ",".join(f'{key}="{val}"' for key, val in sorted(labels.items()))
    pattern = rf"^{name}{{{wanted}}} ([0-9.e+]+)$" if labels else rf"^{name} ([0-9.e+]+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def counts(text):
    """The request counts of a scrape (the metrics requests themselves aside)."""
    return sorted(line for line in text.splitlines()
                  if line.startswith(("webhook_triggers_total", "webhook_registrations_total")))


def settled(port):
    """Whether the counts stay the same over 100 ms (twenty times the workers' batching interval)."""
    before = counts(scrape(port))
    time.sleep(0.1)
    return counts(scrape(port)) == before


def test_counts_add_up_across_two_workers(tmp_path):
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, {"embedded": True, "data_dir": str(tmp_path / "data")},
                          workers=2)
    with ServeProcess(config, port, tmp_path / "serve.log", workers=2):
        hook_id = request(port, "POST", "/webhook", form={"userid": "counted"})[2]["id"]
        for _ in range(10):  # one connection each: the kernel spreads them over both workers
            assert request(port, "GET", f"/webhook/{hook_id}")[0] == 201
        request(port, "GET", "/webhook/" + "x" * 22)
        # Requests are counted a few milliseconds after their answers, by each worker's own thread: wait
        # until every answer is counted (the triggers, and two scrapes in a row agreeing on the rest).
        wait_for(lambda: value(scrape(port), "webhook_triggers_total", outcome="handled") == 10, timeout=5)
        wait_for(lambda: settled(port), timeout=5)
        texts = [scrape(port) for _ in range(4)]
    for text in texts:  # whichever worker answered, the totals are the same
        assert value(text, "webhook_triggers_total", outcome="handled") == 10
        # serve's readiness polls (GET /webhook/x) are not-found triggers too
        assert value(text, "webhook_triggers_total", outcome="not_found") == value(texts[0], "webhook_triggers_total",
                                                                                   outcome="not_found") >= 1
        assert value(text, "webhook_registrations_total") == 1
        assert value(text, "webhook_requests_total", method="GET", route="/webhook/{hook_id}", status="201") == 10


def test_metrics_are_served_only_to_allowed_networks():
    client = testing.TestClient(make_container().app())
    assert client.simulate_get("/metrics").status_code == 200  # falcon's test client calls from 127.0.0.1
    refused = client.simulate_get("/metrics", remote_addr="203.0.113.9")
    assert refused.status_code == 403 and refused.json["status"] == 403


def test_invented_methods_are_counted_as_other():
    client = testing.TestClient(make_container().app())
    for method in ("BREW", "WHEN", "GET"):
        client.simulate_request(method, "/health")
    text = client.simulate_get("/metrics").text
    assert value(text, "webhook_requests_total", method="OTHER", route="/health", status="400") == 2
    assert value(text, "webhook_requests_total", method="GET", route="/health", status="200") == 1
    assert "BREW" not in text and "WHEN" not in text
