"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py iop_finder.wsgi`.

Behind a buffering proxy (deploy/nginx.conf): sync workers are held by whoever is sending,
so slow clients and large bodies are the proxy's to absorb, never a worker's.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
# A worker silent this long is killed and replaced; a request's statements stop well before.
timeout = 30
graceful_timeout = 20
# Each PostgreSQL statement of a web request stops after this many seconds (settings read it
# when each worker loads the application); management commands run without a limit.
os.environ.setdefault("DB_STATEMENT_TIMEOUT", "5")
# Refuse oversized requests before Django sees them.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# No query strings (places, coordinates, filters) and no client addresses in the access log.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
