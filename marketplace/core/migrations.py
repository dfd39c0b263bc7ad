"""How our own column types are written into Alembic revisions, so revisions import nothing of ours."""

from marketplace.core.timeutil import UTCDateTime

# The search text tables differ per database (FTS5 and its shadow tables, or a tsvector table) and are
# made by `search.backends.ensure_schema`, not by the models; Alembic must not try to drop them.
SEARCH_TEXT_PREFIXES = ("product_search_fts", "product_search_text")


def render_migration_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False  # Alembic's default rendering


def include_in_migrations(name, type_, parent_names) -> bool:
    return not (type_ == "table" and name and name.startswith(SEARCH_TEXT_PREFIXES))
