"""Runs the app under gunicorn from inside the ``serve`` command, with the configured workers."""
from __future__ import annotations

from typing import Any, Callable

from gunicorn.app.base import BaseApplication


def _log_worker_ready(worker: Any) -> None:
    """Log that a worker has installed its signal handlers and loaded the app, and so serves and stops cleanly."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


def gunicorn_options(http_config: dict[str, Any]) -> dict[str, Any]:
    """Return gunicorn settings for the ``http`` config section (the benchmark uses the same ones)."""
    host = http_config["host"]
    bind_host = f"[{host}]" if ":" in host else host  # an IPv6 literal needs brackets
    options: dict[str, Any] = {
        "bind": f"{bind_host}:{http_config['port']}",
        "workers": http_config["workers"],
        "worker_class": http_config["worker_class"],
        "threads": http_config["threads"],
        # Several gunicorns on one machine (tests, benchmarks) would share one default control socket.
        "control_socket_disable": True,
        "post_worker_init": _log_worker_ready,
    }
    return options


class GunicornApplication(BaseApplication):
    """A gunicorn application whose WSGI app comes from a factory called in each worker after fork.

    Args:
        app_factory: returns the WSGI app; called once per worker, so no connection crosses a fork.
        options: gunicorn settings by name; ones this gunicorn version does not know are skipped.
    """

    def __init__(self, app_factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self._app_factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options to gunicorn's settings."""
        for name, value in self._options.items():
            if name in self.cfg.settings:
                self.cfg.set(name, value)

    def load(self) -> Any:
        """Build the WSGI app (in the worker, as preload is off)."""
        return self._app_factory()
