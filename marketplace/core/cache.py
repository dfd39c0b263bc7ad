"""A short-lived cache of public pages as anonymous visitors see them.

Discovery pages (home, search, directories, product pages) are the same for every anonymous visitor in a
language, and they are most of the traffic. Serving them from a cache for a few seconds keeps a large catalog
fast under load. Signed-in people, pages carrying a flash message and anything but a 200 are never cached.
Counts and prices may lag by at most PAGE_CACHE_SECONDS; staff see their own changes at once, signed in.
"""

import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

MAX_LOCAL_ENTRIES = 500
# A cached page holds this in place of the visitor's CSRF token; each visitor's own is put back when it is served,
# so a form on a cached page ("add to cart") works for everyone and never carries another visitor's token.
CSRF_PLACEHOLDER = b"__page_cache_csrf_token__"


class LocalPageCache:
    """Per worker process; bounded, least recently used first out."""

    def __init__(self, max_entries: int = MAX_LOCAL_ENTRIES):
        self.entries: OrderedDict[str, tuple[float, bytes, str]] = OrderedDict()
        self.max_entries = max_entries
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                self.entries.pop(key, None)
                return None
            self.entries.move_to_end(key)
            return entry[1], entry[2]

    def set(self, key: str, body: bytes, content_type: str, seconds: int) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic() + seconds, body, content_type)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


class RedisPageCache:
    """Shared by every worker and host."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)

    def get(self, key: str) -> tuple[bytes, str] | None:
        value = self.client.get(key)
        if not isinstance(value, bytes):
            return None
        content_type, _, body = value.partition(b"\n")
        return body, content_type.decode()

    def set(self, key: str, body: bytes, content_type: str, seconds: int) -> None:
        self.client.setex(key, seconds, content_type.encode() + b"\n" + body)

    def clear(self) -> None:
        for key in self.client.scan_iter("page:*"):
            self.client.delete(key)


def init_page_cache(app) -> None:
    url = app.config.get("PAGE_CACHE_REDIS_URL")
    app.extensions["page_cache"] = RedisPageCache(url) if url else LocalPageCache()


def cached_public_page(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        seconds = current_app.config["PAGE_CACHE_SECONDS"]
        if not seconds or current_user.is_authenticated or session.get("_flashes"):
            return view(*args, **kwargs)
        cache = current_app.extensions["page_cache"]
        key = f"page:{get_locale()}:{request.full_path}"
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
