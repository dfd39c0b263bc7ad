"""Every list is paginated; page numbers out of range show an empty last page, never an error."""

from flask import request

from marketplace.extensions import db

DEFAULT_PER_PAGE = 25
MAX_PAGE = 10_000


def requested_page() -> int:
    raw = request.args.get("page", "1")
    return min(max(int(raw), 1), MAX_PAGE) if raw.isdigit() else 1


def paginate(statement, *, per_page: int = DEFAULT_PER_PAGE):
    return db.paginate(statement, page=requested_page(), per_page=per_page, error_out=False, count=True)
