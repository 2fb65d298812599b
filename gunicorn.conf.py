"""gunicorn settings: `make serve-prod`, or `gunicorn -c gunicorn.conf.py think_tank.wsgi`.

Workers: WEB_CONCURRENCY, by default one per CPU core plus one. Pages are rendered by
Python (CPU-bound) and a cached page costs a fraction of a millisecond, so more workers
than cores add memory and context switches, not throughput; the extra one covers a
worker waiting on the database. Sync workers expect a proxy or load balancer in front
that buffers slow clients (nginx, a cloud load balancer, a CDN), as every deployment
described in the README has. See docs/performance.md for measurements.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A request taking longer than this is stuck: the worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Workers live as long as the server: without Redis each holds its own page cache, which
# a replaced worker would have to fill again (its size is bounded by
# PAGE_CACHE_MAX_ENTRIES). GUNICORN_MAX_REQUESTS recycles them if a library leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The application is loaded once, then forked: less memory, faster restarts.
preload_app = True
accesslog = (
    "-"
    if os.environ.get("GUNICORN_ACCESS_LOG", "true").lower() in {"1", "true", "yes", "on"}
    else None
)
errorlog = "-"
# The proxy in front sets X-Forwarded-Proto; gunicorn believes it (wsgi.url_scheme) only
# from these addresses or networks, and so does Django (TrustedProxyMiddleware drops the
# forwarded headers of anyone else): the same variable, the same default, for both.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn's control socket (for `gunicornc`) defaults to one path per user
# ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl), which a second instance on the same
# host (a benchmark beside the server, blue-green deploys) would take over. Off unless
# GUNICORN_CONTROL_SOCKET names a path for this instance.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
