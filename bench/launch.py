"""Runs one benchmarked app under gunicorn with exactly the settings ``webhook-register serve`` uses.

    python -m bench.launch {service,baseline,hello} --port P --redis-port R [--redis-db N]
        [--workers 2] [--worker-class gthread] [--threads 4]
"""
import argparse
import functools

from webhook_register.entrypoints.config import ConfigSchema
from webhook_register.entrypoints.containers import Container
from webhook_register.entrypoints.gunicorn_app import GunicornApplication, gunicorn_options


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

    config = ConfigSchema().load({
        "http": {"port": args.port, "workers": args.workers, "worker_class": args.worker_class,
                 "threads": args.threads},
        "redis": {"embedded": False, "port": args.redis_port, "db": args.redis_db},
    })
    if args.app == "service":
        factory = functools.partial(service_app, config)
    elif args.app == "baseline":
        from bench.baseline_app import create_app

        factory = functools.partial(create_app, args.redis_port, args.redis_db)
    else:
        from bench.hello_app import create_app

        factory = create_app
    options = gunicorn_options(config["http"])
    options["loglevel"] = "warning"
    GunicornApplication(factory, options).run()


if __name__ == "__main__":
    main()
