"""gunicorn's configuration for Ura: `gunicorn -c deploy/gunicorn.conf.py settings.wsgi`.

Bound to the loopback address: the TLS-terminating proxy in front is the only way in. Every value
can be changed from the environment (deploy/env.template lists them).
"""

import multiprocessing
import os

bind = os.environ.get("URA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("URA_WEB_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 8))))
# A request that takes longer than this is ended and its worker replaced (the database's statement
# timeout and the other limits are shorter, so a user gets an error page before this).
timeout = int(os.environ.get("URA_WEB_TIMEOUT_SECONDS", "30"))
graceful_timeout = 30
keepalive = 5
# Replace each worker now and then: memory does not creep.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-* only from the proxy on this machine (its address, comma-separated otherwise).
forwarded_allow_ips = os.environ.get("URA_PROXY_ADDRESSES", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# No query strings in the access log (they may hold a name searched for); the request id ties a
# line to the application's log.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'


def post_worker_init(worker: object) -> None:
    """Compile the templates and fill the URL resolver before the worker's first request (decision
    163): a new or recycled worker no longer makes its first users wait for it. Then leave what it
    built out of the garbage collector's way (decision 165)."""
    # Never a reason not to serve: gunicorn stops the whole server when a worker fails to boot.
    try:
        from operations import warm

        seconds = warm.warm_up()
    except Exception:
        worker.log.exception("worker not warmed up: it serves, its first pages slower")  # type: ignore[attr-defined]
    else:
        worker.log.info("worker warmed up in %.2f s", seconds)  # type: ignore[attr-defined]
    try:
        from operations import warm

        warm.settle()
    except Exception:
        worker.log.exception("garbage collector left as Python sets it")  # type: ignore[attr-defined]
