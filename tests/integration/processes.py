"""Helpers to run `webhook-register serve` as a real process and talk HTTP to it."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable

import yaml

SERVE = str(Path(sys.executable).parent / "webhook-register")


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05) -> Any:
    """Poll ``condition`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = condition()
        except (OSError, http.client.HTTPException):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        time.sleep(interval)


def request(port: int, method: str, path: str, form: dict | None = None, body: bytes | None = None,
            headers: dict | None = None, chunked: bool = False,
            timeout: float = 10.0) -> tuple[int, dict[str, str], Any]:
    """Send one HTTP request to 127.0.0.1:port; return status, headers and the JSON body (or None).

    ``chunked`` sends the body with ``Transfer-Encoding: chunked`` in 1 KiB chunks, no Content-Length.
    """
    headers = dict(headers or {})
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"  # what `curl -d` sends
    payload: Any = body
    if chunked and body is not None:
        payload = (body[i:i + 1024] for i in range(0, len(body), 1024))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=payload, headers=headers, encode_chunked=chunked)
        response = connection.getresponse()
        raw = response.read()
        response_headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()
    return response.status, response_headers, json.loads(raw) if raw else None


def write_config(path: Path, port: int, redis: dict[str, Any], workers: int = 2, server: str = "gunicorn",
                 **sections: dict[str, Any]) -> Path:
    """Write a config file for a test server listening on ``port`` (more sections as keywords)."""
    http = {"host": "127.0.0.1", "port": port, "workers": workers, "threads": 2, "server": server}
    path.write_text(yaml.safe_dump({"http": http, "redis": redis, **sections}))
    return path


#: The line each HTTP server logs once a worker can serve and stop cleanly.
WORKER_READY = {"gunicorn": "Worker ready", "granian": "Started worker-"}


class ServeProcess:
    """`webhook-register serve --config PATH` as a child process, its output captured in a file."""

    def __init__(self, config: Path, port: int, output: Path, workers: int = 2, server: str = "gunicorn",
                 env: dict[str, str] | None = None) -> None:
        self.config = config
        self.env = env or {}
        self.port = port
        self.output = output
        self.workers = workers
        self.ready_line = WORKER_READY[server]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "ServeProcess":
        """Start serve and wait until every worker is ready and it answers HTTP.

        Waiting for every worker matters: gunicorn ignores a SIGTERM that reaches a worker between its
        fork and the installation of its signal handlers, and stopping then takes the graceful timeout.
        """
        ready_before = self.text().count(self.ready_line) if self.output.exists() else 0
        with open(self.output, "ab") as sink:
            self.process = subprocess.Popen(
                [SERVE, "serve", "--config", str(self.config)],
                stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
            )
        wait_for(self._answers)
        wait_for(lambda: self.text().count(self.ready_line) - ready_before >= self.workers)
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.text()}")
        return request(self.port, "GET", "/webhook/x", timeout=1.0)[0] == 404

    def text(self) -> str:
        """Everything serve printed so far."""
        return self.output.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and return the exit code once serve has exited."""
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)

    def __enter__(self) -> "ServeProcess":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            self.stop()


def start_worker(config: Path, output: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start `webhook-register worker --config PATH`, its output appended to ``output``."""
    with open(output, "ab") as sink:
        return subprocess.Popen([SERVE, "worker", "--config", str(config)], stdout=sink, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1", **env})
