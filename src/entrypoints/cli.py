"""The ``webhook-register`` command line: ``serve`` runs the service under gunicorn (or granian),
``worker`` handles queued events, ``hash-token`` prints the stored form of an admin token."""
from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from typing import Sequence

import redis

from ..adapters.redis_server import RedisServerError
from ..domain.tokens import hash_token, is_token_shaped
from .config import CONFIG_PATH_VARIABLE, ConfigError, resolve_config_path
from .containers import Container, build_container
from .embedded_redis import child_environment, embedded_redis
from .granian_app import run_granian
from .gunicorn_app import GunicornApplication, gunicorn_options
from .worker import run_worker, worker_process

logger = logging.getLogger("webhook_register")

#: Exit codes, for scripts: a configuration that cannot be used; a failure to start.
EXIT_CONFIG = 2
EXIT_START = 1


def _parser() -> argparse.ArgumentParser:
    """Return the argument parser of the command and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="webhook-register", description="Register webhooks and trigger them."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the HTTP service (gunicorn, or granian)")
    serve.add_argument(
        "--config",
        metavar="PATH",
        help=f"the configuration file (default: ${CONFIG_PATH_VARIABLE}, else ./config.yml)",
    )
    worker = commands.add_parser("worker", help="handle queued events (dispatch.mode: queue) until stopped")
    worker.add_argument("--config", metavar="PATH", help="the configuration file (as for serve)")
    hash_token = commands.add_parser(
        "hash-token", help="print sha256:<hash> of a token read from standard input, for auth.admin_tokens"
    )
    hash_token.set_defaults(command="hash-token")
    return parser


def print_token_hash() -> int:
    """Read a token from standard input and print the form auth.admin_tokens stores it in."""
    token = sys.stdin.readline().strip()
    if not is_token_shaped(token):
        print("webhook-register: a token has 16 to 256 letters, digits, _ or -", file=sys.stderr)
        return EXIT_CONFIG
    print(f"sha256:{hash_token(token)}")
    return 0


def serve(config_path: str | None) -> int:
    """Run the service until gunicorn stops (SIGTERM, SIGINT); return the exit code."""
    container = build_container(config_path)
    path = resolve_config_path(config_path)
    dispatch = container.config.dispatch()
    with contextlib.ExitStack() as stack:
        if container.config.redis.embedded():
            stack.enter_context(embedded_redis(container))
        _report_redis(container)
        environment = child_environment(container.config.redis(), path)
        if dispatch["mode"] == "queue" and dispatch["worker_in_serve"]:
            stack.enter_context(worker_process(path, environment))
        http_config = container.config.http()
        options = gunicorn_options(http_config)
        logger.info("webhook-register listening on http://%s (%s)", options["bind"], http_config["server"])
        if http_config["server"] == "granian":
            run_granian(http_config, environment)
        else:
            GunicornApplication(container.app, options).run()
    return 0


def work(config_path: str | None) -> int:
    """Run one queue worker until SIGTERM/SIGINT; return the exit code."""
    container = build_container(config_path)
    if container.config.redis.embedded():
        raise ConfigError(
            "redis.embedded is true, but a worker needs the Redis that serve runs or your own: "
            "set WEBHOOK_REDIS_EMBEDDED=false and point redis.host/redis.port (or redis.socket) at it"
        )
    return run_worker(container)


def _report_redis(container: Container) -> None:
    """Log which Redis the workers will use, and warn (without failing) when it does not answer yet."""
    config = container.config.redis()
    where = config["socket"] or f"{config['host']}:{config['port']}"
    mode = "embedded" if config["embedded"] else "external"
    probe = container.redis_client()
    try:
        probe.ping()
        logger.info("redis (%s) at %s answers", mode, where)
    except redis.RedisError as exc:
        logger.warning("redis at %s does not answer (%s): triggers get 500 until it does", where, exc)
    finally:
        # The workers must not inherit this connection: they open their own after the fork.
        probe.close()
        container.redis_client.reset()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(process)d] [%(levelname)s] %(message)s")
    try:
        if args.command == "serve":
            return serve(args.config)
        if args.command == "hash-token":
            return print_token_hash()
        if args.command == "worker":
            return work(args.config)
    except ConfigError as exc:
        print(f"webhook-register: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except RedisServerError as exc:
        print(f"webhook-register: {exc}", file=sys.stderr)
        return EXIT_START
    return EXIT_START  # pragma: no cover - argparse requires a known command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
