# The web node: the same install, migrate, collectstatic and gunicorn commands the README uses.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=0
WORKDIR /app

COPY pyproject.toml README.md manage.py gunicorn.conf.py ./
COPY iop_finder ./iop_finder
COPY facilities ./facilities
COPY templates ./templates
COPY static ./static
COPY fixtures ./fixtures
RUN pip install --no-cache-dir -e . \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

USER nobody
EXPOSE 8000
# Migrations run before the web process starts; with several nodes, run them once from one.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn -c gunicorn.conf.py iop_finder.wsgi"]
