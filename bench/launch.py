"""Runs one benchmarked app under gunicorn with exactly the settings ``webhook-register serve`` uses.

The service also runs as ``serve`` runs it with the default configuration: JSON logs with an access line
per request (to stderr, which the benchmark sends to a log file) and metrics shared by the workers.

    python -m bench.launch {service,baseline,hello} --port P --redis-port R [--redis-db N]
        [--workers 2] [--worker-class gthread] [--threads 4]
"""
import argparse
import contextlib
import functools
import os

from webhook_register.entrypoints.config import ConfigSchema, override_from_environment
from webhook_register.entrypoints.containers import Container
from webhook_register.entrypoints.gunicorn_app import GunicornApplication, gunicorn_options
from webhook_register.entrypoints.logs import configure_logging
from webhook_register.entrypoints.metrics import multiprocess_directory


def service_app(config: dict):
    """Build the real service from a validated configuration (in the worker)."""
    container = Container()
    container.config.from_dict(config)
    return container.app()


def main() -> None:
    """Parse the arguments and run gunicorn until it is stopped."""
    parser = argparse.ArgumentParser()
    parser.add_argument("app", choices=["service", "baseline", "hello"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--redis-db", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    # WEBHOOK_<SECTION>_<KEY> variables change the service's defaults, as they do for serve (e.g.
    # WEBHOOK_LOGGING_ACCESS=false to measure what the access log costs); the flags above win.
    config = ConfigSchema().load(override_from_environment({
        "http": {"port": args.port, "workers": args.workers, "worker_class": args.worker_class,
                 "threads": args.threads},
        "redis": {"embedded": False, "port": args.redis_port, "db": args.redis_db},
    }, {name: value for name, value in os.environ.items()
        if not name.startswith(("WEBHOOK_HTTP_", "WEBHOOK_REDIS_"))}))
    options = gunicorn_options(config["http"])
    serving = contextlib.ExitStack()
    if args.app == "service":
        factory = functools.partial(service_app, config)
        options["logconfig_dict"] = configure_logging(config["logging"]["format"], config["logging"]["level"])
        if config["metrics"]["enabled"]:
            serving.enter_context(multiprocess_directory())
    elif args.app == "baseline":
        from bench.baseline_app import create_app

        factory = functools.partial(create_app, args.redis_port, args.redis_db)
        options["loglevel"] = "warning"
    else:
        from bench.hello_app import create_app

        factory = create_app
        options["loglevel"] = "warning"
    with serving:
        GunicornApplication(factory, options).run()


if __name__ == "__main__":
    main()
