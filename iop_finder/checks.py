"""Deployment checks of our own, run by `check --deploy`."""

from django.conf import settings
from django.core import checks
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.module_loading import import_string


@checks.register(checks.Tags.caches, deploy=True)
def rate_limits_are_shared(app_configs, **kwargs):
    """Say where rate limits are counted; refuse counters that each worker keeps alone."""
    if not settings.RATELIMIT_ENABLE:
        return []
    backend = import_string(settings.CACHES[settings.RATELIMIT_USE_CACHE]["BACKEND"])
    if issubclass(backend, LocMemCache | DummyCache):
        return [
            checks.Error(
                "Rate limits are counted in each worker's own memory: with several workers, "
                "each one allows the whole limit.",
                hint="Set REDIS_URL, or leave CACHES['ratelimit'] to the database table.",
                id="iop_finder.E001",
            )
        ]
    if issubclass(backend, BaseDatabaseCache):
        where = f"the database table {settings.RATE_LIMIT_TABLE} (no REDIS_URL)"
    else:
        where = "Redis (REDIS_URL)"
    return [
        checks.Info(
            f"Rate limits are counted in {where}, shared by every worker.", id="iop_finder.I001"
        )
    ]
