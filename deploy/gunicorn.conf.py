"""gunicorn's settings for Konto, read from the environment (the Dockerfile runs
`gunicorn -c deploy/gunicorn.conf.py`). Run behind nginx (deploy/nginx/konto.conf).

Threaded workers (gthread): each of WEB_CONCURRENCY processes serves GUNICORN_THREADS requests
at once, so one slow request (an export, a database that hesitates) holds one thread, not a
whole process. Slow *clients* are nginx's job: it reads the whole request and buffers the
whole response, so a gunicorn thread only ever talks to nginx on the same host, at full speed.
gunicorn alone cannot do that: a thread waits for as long as a client takes to send its headers.

Every thread keeps its own database connection (CONN_MAX_AGE), so PostgreSQL sees up to
WEB_CONCURRENCY × GUNICORN_THREADS connections per container: keep that under max_connections.
"""

from __future__ import annotations

import gc
import os

wsgi_app = "konto.wsgi:application"
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]

worker_class = "gthread"
# Two processes per core is plenty with threads; WEB_CONCURRENCY is the usual name for it.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker whose main loop is silent this long (a process stuck, not just one slow request)
# is killed and replaced. With gthread the loop runs beside the requests, so a single slow
# request is bounded by nginx's proxy_read_timeout instead.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On restart or redeploy, requests under way get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Seconds an idle keep-alive connection (from nginx) stays open.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle each worker after about this many requests, so a slow leak never grows for ever;
# the jitter keeps the workers from restarting all at once. 0 turns it off.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max(max_requests // 10, 0)


def post_worker_init(worker: object) -> None:
    """Once a worker has loaded Django (its apps, models, URL conf): put everything loaded so
    far out of the garbage collector's reach (gc.freeze). It lives as long as the process
    anyway, and a full collection went through all of it: 70 ms with ~146,000 objects, during
    which every request of the worker waited. After it, a full collection takes ~4 ms."""
    gc.freeze()


# The heartbeat file on a RAM disk: on Docker's overlay file system a blocked write can make
# gunicorn think a healthy worker hung. (Only gunicorn's own heartbeat files go there.)
SHARED_MEMORY = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None

# Only nginx may say a request came over HTTPS (X-Forwarded-Proto): the loopback when both run
# on the host; in Docker, the address nginx connects from (the bridge gateway, 172.17.0.1).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The usual line, plus the client as nginx saw it (the peer here is nginx) and the duration.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
    'xff="%({x-forwarded-for}i)s" %(M)sms'
)
