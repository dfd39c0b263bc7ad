"""Every list is paginated; page numbers out of range show an empty last page, never an error."""

from flask import request

from marketplace.core.query_args import QueryArgs
from marketplace.extensions import db

DEFAULT_PER_PAGE = 25
MAX_PAGE = 10_000


def requested_page() -> int:
    return QueryArgs(request.args).number("page", minimum=1, maximum=MAX_PAGE) or 1


def paginate(statement, *, per_page: int = DEFAULT_PER_PAGE):
    return db.paginate(statement, page=requested_page(), per_page=per_page, error_out=False, count=True)
