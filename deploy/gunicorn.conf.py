"""A production gunicorn configuration for running gunicorn directly (``webhook-register serve`` does
the same from config.yml):

    WEBHOOK_REDIS_EMBEDDED=false WEBHOOK_REDIS_HOST=redis.internal \\
        gunicorn -c deploy/gunicorn.conf.py 'webhook_register.entrypoints.wsgi:create_app()'
"""
import multiprocessing
import os

bind = os.environ.get("WEBHOOK_BIND", "0.0.0.0:8000")
# Two workers per core, each with threads that overlap their Redis round trips.
workers = int(os.environ.get("WEBHOOK_HTTP_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("WEBHOOK_HTTP_THREADS", 4))
# A request never waits long on Redis (socket timeouts of about a second); 30 s catches a stuck worker.
timeout = 30
# On SIGTERM, finish the requests in hand for up to this long, then stop.
graceful_timeout = 20
keepalive = 5
# Only these proxies may set X-Forwarded-*; the app's own trusted_proxies decides client addresses.
forwarded_allow_ips = os.environ.get("WEBHOOK_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Bounded request line and headers (gunicorn answers larger ones itself).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# No preload: each worker builds the app, and its Redis pool, after the fork. With preload_app = True
# the app is built once in the master, but no connection is opened there: redis-py's pool notices the
# fork and each worker opens its own connections on first use, so no post_fork hook is needed.
preload_app = False
# Several gunicorns on one host must not share the default control socket.
control_socket_disable = True
# No gunicorn access log: the app logs one line per request itself (logging.access), with its request id.
accesslog = None


def post_worker_init(worker):
    """Log when a worker can serve (its app built, its signal handlers installed)."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)
