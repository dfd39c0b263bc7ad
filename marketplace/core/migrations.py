"""How our own column types are written into Alembic revisions, so revisions import nothing of ours."""

from marketplace.core.timeutil import UTCDateTime

# The search text storage differs per database (FTS5 tables and their shadow tables on SQLite; tsvector and
# name columns with GIN indexes on PostgreSQL) and is made by `search.backends.ensure_schema`, not by the
# models; Alembic must neither drop it nor try to create it.
SEARCH_TEXT_PREFIXES = ("product_search_fts", "product_search_text", "search_entries_document",
                        "search_entries_name_trigram", "search_document", "search_name", "search_entries_facets",
                        "cooperatives_name_trigram", "cooperative_names_fts")


def render_migration_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False  # Alembic's default rendering


def include_in_migrations(name, type_, parent_names) -> bool:
    return not (type_ in ("table", "column", "index") and name and name.startswith(SEARCH_TEXT_PREFIXES))
