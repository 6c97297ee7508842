"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py iop_finder.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
timeout = 30
graceful_timeout = 20
# Refuse oversized requests before Django sees them.
limit_request_line = 4094
limit_request_fields = 100
# No query strings (places, coordinates, filters) and no client addresses in the access log.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
