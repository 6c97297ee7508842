"""Django's Redis cache, with one client per connection pool.

Django's client makes a new `redis.Redis` for every call, and each one builds its table of
some 170 reply handlers: a fifth of a millisecond a call, most of the time a search kept in
the cache took to answer. A Redis client is safe to share between threads (its connections
come from the pool), so one is made per pool and kept.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return self._clients[index]


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
