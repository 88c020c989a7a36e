"""The docs page in a real headless Chromium: Swagger UI renders the API from the service's own assets,
every request it makes succeeds, and a screenshot is kept as an artifact."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.processes import ServeProcess, free_port, write_config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=10000", "--window-size=1280,1800"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test-deps; .ci/run installs it)")
def test_docs_page_renders_offline_with_no_failed_request(tmp_path):
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, {"embedded": True, "data_dir": str(tmp_path / "data")},
                          workers=1, logging={"format": "json", "access": True})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "docs-page.png"
    url = f"http://127.0.0.1:{port}/docs"
    with ServeProcess(config, port, tmp_path / "serve.log", workers=1) as serve:
        dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url],
                             capture_output=True, text=True, timeout=120).stdout
        subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile2'}", f"--screenshot={screenshot}",
                        url], capture_output=True, timeout=120)
    log = serve.text()  # after the stop: access lines are written behind the answers, the last ones at exit

    assert "swagger-ui" in dom and "/webhook/{hook_id}" in dom and "Register a webhook" in dom
    assert screenshot.exists() and screenshot.stat().st_size > 10_000
    served = [json.loads(line) for line in log.splitlines() if '"webhook_register.access"' in line]
    page_requests = [entry for entry in served if entry["message"].split()[1].startswith(("/docs", "/openapi"))]
    assert {"/docs", "/openapi.json"} <= {entry["message"].split()[1] for entry in page_requests}
    assert any("/docs/assets/" in entry["message"] for entry in page_requests)
    failed = [entry for entry in page_requests if entry["status"] >= 400]
    assert not failed, failed
