"""A short-lived cache of public pages as anonymous visitors see them.

Discovery pages (home, search, directories, product pages) are the same for every anonymous visitor in a
language, and they are most of the traffic. Serving them from a cache for a few seconds keeps a large catalog
fast under load. Signed-in people, pages carrying a flash message and anything but a 200 are never cached.
Counts and prices may lag by at most PAGE_CACHE_SECONDS; staff see their own changes at once, signed in.
"""

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from marketplace.core.i18n import current_locale

log = logging.getLogger(__name__)

MAX_LOCAL_ENTRIES = 2000
# A cached page holds this in place of the visitor's CSRF token; each visitor's own is put back when it is served,
# so a form on a cached page ("add to cart") works for everyone and never carries another visitor's token.
CSRF_PLACEHOLDER = b"__page_cache_csrf_token__"


class LocalStore:
    """Per worker process; bounded, least recently used first out."""

    def __init__(self, max_entries: int = MAX_LOCAL_ENTRIES):
        self.entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.max_entries = max_entries
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                self.entries.pop(key, None)
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def set(self, key: str, value: bytes, seconds: int) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic() + seconds, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


class RedisStore:
    """Shared by every worker and host. A cache must never take the site down: when Redis cannot be reached,
    reading is a miss and writing is skipped (and logged), so pages are simply computed."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self.errors = redis.RedisError

    def get(self, key: str) -> bytes | None:
        try:
            value = self.client.get(key)
        except self.errors as error:
            log.warning("cache unavailable: %s", error)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, seconds: int) -> None:
        try:
            self.client.setex(key, seconds, value)
        except self.errors as error:
            log.warning("cache unavailable: %s", error)

    def clear(self) -> None:
        for pattern in ("page:*", "data:*"):
            for key in self.client.scan_iter(pattern):
                self.client.delete(key)


class PageCache:
    """Whole pages (the content type, a newline, the body)."""

    def __init__(self, store):
        self.store = store

    def get(self, key: str) -> tuple[bytes, str] | None:
        value = self.store.get(key)
        if value is None:
            return None
        content_type, _, body = value.partition(b"\n")
        return body, content_type.decode()

    def set(self, key: str, body: bytes, content_type: str, seconds: int) -> None:
        self.store.set(key, content_type.encode() + b"\n" + body, seconds)

    def clear(self) -> None:
        self.store.clear()


class DataCache:
    """Plain data (what `json` writes) kept for a few seconds, for signed-in people as much as anonymous ones:
    each caller says how long its kind of data may lag behind the database."""

    def __init__(self, store):
        self.store = store

    def get(self, key: str) -> Any | None:
        value = self.store.get("data:" + key)
        return None if value is None else json.loads(value)

    def set(self, key: str, value: Any, seconds: int) -> None:
        if seconds > 0:
            self.store.set("data:" + key, json.dumps(value, separators=(",", ":")).encode(), seconds)

    def remember(self, key: str, seconds: int, compute: Callable[[], Any]) -> Any:
        """The kept value, or `compute()`'s, kept for `seconds` (0: not kept, not even looked up)."""
        if seconds <= 0:
            return compute()
        value = self.get(key)
        if value is None:
            value = compute()
            self.set(key, value, seconds)
        return value

    def clear(self) -> None:
        self.store.clear()


def init_page_cache(app) -> None:
    url = app.config.get("CACHE_REDIS_URL")
    store = RedisStore(url) if url else LocalStore()
    app.extensions["page_cache"] = PageCache(store)
    app.extensions["data_cache"] = DataCache(store)


def data_cache() -> DataCache:
    return current_app.extensions["data_cache"]


def cached_public_page(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        if not seconds or current_user.is_authenticated or session.get("_flashes"):
            return view(*args, **kwargs)
        cache = current_app.extensions["page_cache"]
        key = f"page:{current_locale()}:{request.full_path}"
        token = generate_csrf()
        hit = cache.get(key)
        if hit is not None:
            response = make_response(hit[0].replace(CSRF_PLACEHOLDER, token.encode()))
            response.content_type = hit[1]
            response.headers["X-Page-Cache"] = "hit"
            return response
        session_before = dict(session)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and dict(session) == session_before and not response.is_streamed:
            cache.set(key, response.get_data().replace(token.encode(), CSRF_PLACEHOLDER), response.content_type,
                      seconds)
        response.headers["X-Page-Cache"] = "miss"
        return response

    return wrapped
