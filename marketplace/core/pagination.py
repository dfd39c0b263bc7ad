"""Every list is paginated; page numbers out of range show an empty last page, never an error."""

from functools import lru_cache

import sqlalchemy as sa
from flask import request

from marketplace.core.query_args import QueryArgs
from marketplace.extensions import db

DEFAULT_PER_PAGE = 25
MAX_PAGE = 10_000


def requested_page() -> int:
    return QueryArgs(request.args).number("page", minimum=1, maximum=MAX_PAGE) or 1


def paginate(statement, *, per_page: int = DEFAULT_PER_PAGE):
    return db.paginate(statement, page=requested_page(), per_page=per_page, error_out=False, count=True)


class RowPage:
    """A page of rows of several columns ((member, balance), (line, entry)): the same attributes the pagination
    macro reads from a page of objects."""

    def __init__(self, items: list, *, page: int, per_page: int, total: int):
        self.items, self.page, self.per_page, self.total = items, page, per_page, total
        self.pages = max(1, -(-total // per_page)) if total else 0
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None


def paginate_rows(statement, *, per_page: int = DEFAULT_PER_PAGE) -> RowPage:
    page = requested_page()
    total = db.session.scalar(_counting(statement)) or 0
    items = list(db.session.execute(_one_page_of(statement), {"page_limit": per_page,
                                                              "page_offset": (page - 1) * per_page}).all())
    return RowPage(items, page=page, per_page=per_page, total=total)


# Kept for the statement objects a service keeps (the directories build one per filters): a statement built
# afresh costs its cache key again on every page, about a millisecond for a directory's count and keys.
@lru_cache(maxsize=256)
def _counting(statement) -> sa.Select:
    return sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())


@lru_cache(maxsize=256)
def _one_page_of(statement) -> sa.Select:
    """The statement's rows from a bound offset, as many as a bound limit: one statement for every page (a limit
    and offset written in cost the statement's cache key afresh, about 0.3 ms a directory page)."""
    return statement.limit(sa.bindparam("page_limit", type_=sa.Integer)).offset(
        sa.bindparam("page_offset", type_=sa.Integer))


@lru_cache(maxsize=256)
def _keys_of(statement, entity) -> sa.Select:
    return statement.with_only_columns(entity.id)


@lru_cache(maxsize=256)
def _rows_of_page(statement, entity) -> sa.Select:
    """The statement itself, kept to the rows whose keys are on the page, each with the whole list's count: the
    database counts the keys once (an uncorrelated subquery), finds the page's keys in the order's index, then
    reads those rows alone and sorts them. One statement instead of a count, the keys, then the rows."""
    whole_count = _counting(_keys_of(statement, entity)).scalar_subquery()
    return statement.where(entity.id.in_(_one_page_of(_keys_of(statement, entity)))).add_columns(whole_count)


@lru_cache(maxsize=256)
def _selects_entity_alone(statement) -> bool:
    return len(statement.column_descriptions) == 1


def paginate_keys_first(statement, entity, *, per_page: int = DEFAULT_PER_PAGE) -> RowPage:
    """A page of `entity` rows from a statement selecting it, ordered: the order, offset and count are worked out
    on the primary keys alone, and only the page's rows are read whole, with their eager relationships. Sorting
    thousands of narrow keys instead of thousands of wide joined rows is what keeps a directory fast.

    The page's items are the entities; where the statement selects more than the entity (a summary correlated to
    it), each item is the row of them all. A page past the end asks for the count alone."""
    page = requested_page()
    offset = (page - 1) * per_page
    rows = db.session.execute(_rows_of_page(statement, entity),
                              {"page_limit": per_page, "page_offset": offset}).all()
    if rows:
        total = rows[0][-1]
    elif page > 1:  # past the end of the list: its count alone
        total = db.session.scalar(_counting(_keys_of(statement, entity))) or 0
    else:  # an empty first page is an empty list
        total = 0
    items = [row[0] for row in rows] if _selects_entity_alone(statement) else [tuple(row[:-1]) for row in rows]
    return RowPage(items, page=page, per_page=per_page, total=total)
