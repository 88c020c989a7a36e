"""The ``webhook-register`` command line: ``serve`` runs the service under gunicorn (or granian),
``worker`` handles queued events, ``hooks`` manages webhooks, ``queue`` shows and replays dead letters,
``check-config`` validates the configuration, ``hash-token`` prints the stored form of an admin token. Exit codes: 0 success, 1 failure, 2 unusable configuration."""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from typing import Sequence

import redis

from ..adapters.redis_server import RedisServerError
from ..adapters.hook_codec import public_hook
from ..domain.errors import InvalidWebhook, StorageUnavailable, WebhookNotFound
from ..domain.tokens import AdminTokens, hash_token, is_token_shaped, new_token
from .config import CONFIG_PATH_VARIABLE, ConfigError, admin_token_hashes, resolve_config_path
from .containers import Container, build_container
from .embedded_redis import child_environment, embedded_redis
from .granian_app import run_granian
from .logs import configure_logging
from .metrics import multiprocess_directory
from .gunicorn_app import GunicornApplication, gunicorn_options
from .operations import dead_letter_view
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
    _command(commands, "worker", "handle queued events (dispatch.mode: queue) until stopped", json_output=False)
    queue = _command(commands, "queue", "the event queue of dispatch.mode queue: status, dead letters")
    queue_commands = queue.add_subparsers(dest="queue_command", required=True, metavar="ACTION")
    queue_commands.add_parser("status", help="events waiting or in hand, and dead letters")
    _dead_letter_actions(queue_commands, list_action="dead-letters")
    # The same dead-letter actions, named as operators look for them.
    dead = _command(commands, "dead-letters", "list or replay the queue's dead letters")
    _dead_letter_actions(dead.add_subparsers(dest="queue_command", required=True, metavar="ACTION"), "list")
    hooks = _command(commands, "hooks", "create, list, show or delete webhooks (as an admin)")
    hook_commands = hooks.add_subparsers(dest="hooks_command", required=True, metavar="ACTION")
    create = hook_commands.add_parser("create", help="register a webhook; prints its id and token")
    create.add_argument("userid")
    create.add_argument("--arg", action="append", default=[], metavar="NAME=VALUE", help="an argument (repeatable)")
    listing = hook_commands.add_parser("list", help="a user's webhooks, newest first")
    listing.add_argument("userid")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--cursor")
    hook_commands.add_parser("show", help="one webhook, without secrets").add_argument("hook_id")
    hook_commands.add_parser("delete", help="revoke a webhook").add_argument("hook_id")
    _command(commands, "check-config", "load and validate the configuration, then exit",
             json_help="print the effective configuration as JSON (secrets hidden)")
    hash_token = commands.add_parser(
        "hash-token", help="print sha256:<hash> of a token read from standard input, for auth.admin_tokens"
    )
    hash_token.set_defaults(command="hash-token")
    return parser


def _command(commands, name: str, help: str, json_output: bool = True,
             json_help: str = "print JSON, for scripts") -> argparse.ArgumentParser:
    """Add a subcommand that reads the configuration (``--config``) and, usually, can print JSON."""
    command = commands.add_parser(name, help=help)
    command.add_argument("--config", metavar="PATH", help="the configuration file (as for serve)")
    if json_output:
        command.add_argument("--json", action="store_true", help=json_help)
    return command


def _dead_letter_actions(actions, list_action: str) -> None:
    """Add the actions that list dead letters (named ``list_action``) and replay one."""
    listing = actions.add_parser(list_action, help="the newest dead letters")
    listing.add_argument("--limit", type=int, default=20)
    actions.add_parser("replay", help="put a dead letter back in the queue").add_argument("entry_id")


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
    log_config = container.config.logging()
    gunicorn_log_config = configure_logging(log_config["format"], log_config["level"])
    dispatch = container.config.dispatch()
    with contextlib.ExitStack() as stack:
        if container.config.metrics.enabled():
            stack.enter_context(multiprocess_directory())
        if container.config.redis.embedded():
            stack.enter_context(embedded_redis(container))
        _report_redis(container)
        environment = child_environment(container.config.redis(), path)
        if dispatch["mode"] == "queue" and dispatch["worker_in_serve"]:
            stack.enter_context(worker_process(path, environment))
        http_config = container.config.http()
        options = {**gunicorn_options(http_config), "logconfig_dict": gunicorn_log_config}
        logger.info("webhook-register listening on http://%s (%s)", options["bind"], http_config["server"])
        if http_config["server"] == "granian":
            run_granian(http_config, environment)
        else:
            GunicornApplication(container.app, options).run()
    return 0


def manage_hooks(args: argparse.Namespace) -> int:
    """Create, list, show or delete hooks through the service, as an admin of this machine."""
    container = _external_redis_container(args.config, "the hooks command")
    # The operator at this machine acts as an admin: a token made for this run only.
    operator = new_token()
    configured = admin_token_hashes(container.config.auth.admin_tokens())
    container.admin_tokens.override(AdminTokens([*configured, hash_token(operator)]))
    service = container.webhook_service()
    if args.hooks_command == "create":
        arguments = dict(pair.partition("=")[::2] for pair in args.arg)
        registration = service.register(args.userid, arguments, credential=operator)
        answer = {"id": registration.hook.id, "token": registration.token}
        print(json.dumps(answer) if args.json else f"{answer['id']}  token {answer['token']}")
    elif args.hooks_command == "list":
        page = service.list_hooks(args.userid, operator, max(1, min(args.limit, 100)), args.cursor)
        views = [_jsonable(public_hook(hook)) for hook in page.hooks]
        if args.json:
            print(json.dumps({"hooks": views, "next_cursor": page.next_cursor}))
        for view in [] if args.json else views:
            print(f"{view['id']}  created {view['created']}  {'enabled' if view['enabled'] else 'disabled'}")
    elif args.hooks_command == "show":
        view = _jsonable(public_hook(service.read(args.hook_id, operator)))
        print(json.dumps(view) if args.json else "\n".join(f"{key}: {value}" for key, value in view.items()))
    else:
        service.delete(args.hook_id, operator)
        print(json.dumps({"deleted": args.hook_id}) if args.json else f"deleted {args.hook_id}")
    return 0


def _jsonable(view: dict) -> dict:
    """A view with its datetimes as ISO strings, for json.dumps."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in view.items()}


def check_config(config_path: str | None, as_json: bool) -> int:
    """Validate the configuration (file, environment, handler name); print it or a one-line verdict."""
    container = build_container(config_path)
    config = container.config()
    if as_json:
        config["redis"]["password"] = "***" if config["redis"]["password"] else None
        config["auth"]["admin_tokens"] = [f"<{len(config['auth']['admin_tokens'])} hidden>"]
        print(json.dumps(config))
    else:
        print(f"config OK: {resolve_config_path(config_path)}")
    return 0


def manage_queue(args: argparse.Namespace) -> int:
    """Show the queue's status or dead letters, or replay one; exit 1 when the dead letter is unknown."""
    container = _external_redis_container(args.config, "the queue command")
    queue = container.event_queue()
    if args.queue_command == "status":
        status = {"depth": queue.depth(), "dead_letters": queue.dead_count()}
        print(json.dumps(status) if args.json else f"{status['depth']} events waiting or in hand, "
              f"{status['dead_letters']} dead letters")
        return 0
    if args.queue_command == "dead-letters":
        letters = [dead_letter_view(letter) for letter in queue.dead_letters(max(1, args.limit))]
        if args.json:
            print(json.dumps(letters))
        for letter in [] if args.json else letters:
            print(f"{letter['id']}  hook {letter['event']['hook']['id']}  attempts {letter['attempts']}  "
                  f"{letter['error']}")
        return 0
    if queue.replay(args.entry_id):
        print(json.dumps({"replayed": args.entry_id}) if args.json else f"replayed {args.entry_id}")
        return 0
    print(f"webhook-register: no dead letter {args.entry_id}", file=sys.stderr)
    return EXIT_START


def _external_redis_container(config_path: str | None, what: str) -> Container:
    """A container for a command that needs a running Redis (not an embedded one of its own)."""
    container = build_container(config_path)
    if container.config.redis.embedded():
        raise ConfigError(
            f"redis.embedded is true, but {what} needs the Redis that serve runs or your own: "
            "set WEBHOOK_REDIS_EMBEDDED=false and point redis.host/redis.port (or redis.socket) at it"
        )
    return container


def work(config_path: str | None) -> int:
    """Run one queue worker until SIGTERM/SIGINT; return the exit code."""
    container = _external_redis_container(config_path, "a worker")
    configure_logging(container.config.logging.format(), container.config.logging.level())
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
    configure_logging("text")  # until the configuration says otherwise
    try:
        if args.command == "serve":
            return serve(args.config)
        if args.command == "hash-token":
            return print_token_hash()
        if args.command == "worker":
            return work(args.config)
        if args.command == "queue":
            return manage_queue(args)
        if args.command == "dead-letters":  # the same actions, named as operators look for them
            args.queue_command = {"list": "dead-letters"}.get(args.queue_command, args.queue_command)
            return manage_queue(args)
        if args.command == "hooks":
            return manage_hooks(args)
        if args.command == "check-config":
            return check_config(args.config, args.json)
    except ConfigError as exc:
        print(f"webhook-register: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except WebhookNotFound as exc:
        print(f"webhook-register: {exc.args[0]} not found", file=sys.stderr)
        return EXIT_START
    except InvalidWebhook as exc:
        print(f"webhook-register: {exc}", file=sys.stderr)
        return EXIT_START
    except StorageUnavailable as exc:
        print(f"webhook-register: {exc}", file=sys.stderr)
        return EXIT_START
    except RedisServerError as exc:
        print(f"webhook-register: {exc}", file=sys.stderr)
        return EXIT_START
    return EXIT_START  # pragma: no cover - argparse requires a known command


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
