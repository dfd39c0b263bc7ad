"""The two text back ends behind one interface.

SQLite (the embedded default): an FTS5 table with prefix indexes, ranked by BM25 with names weighing ten
times descriptions. PostgreSQL: a tsvector column on `search_entries` with names in weight A, ranked by
ts_rank, plus pg_trgm on names so a misspelt word still finds something. Both are made outside the ORM models
(neither type exists on the other database) by `ensure_schema`, which the migrations and the tests call;
Alembic is told to ignore them (`core/migrations.include_in_migrations`).
"""

import sqlalchemy as sa


class SqliteBackend:
    name = "sqlite"

    def ensure_schema(self, connection: sa.Connection) -> None:
        connection.execute(sa.text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS product_search_fts USING fts5("
            "name, body, tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"))

    def drop_schema(self, connection: sa.Connection) -> None:
        connection.execute(sa.text("DROP TABLE IF EXISTS product_search_fts"))

    def delete(self, connection: sa.Connection, product_ids: list[int]) -> None:
        for start in range(0, len(product_ids), 500):
            chunk = product_ids[start:start + 500]
            connection.execute(sa.text("DELETE FROM product_search_fts WHERE rowid IN :ids")
                               .bindparams(sa.bindparam("ids", expanding=True)), {"ids": chunk})

    def write(self, connection: sa.Connection, entries: list[dict], texts: list[dict]) -> None:
        from marketplace.search.models import SearchEntry

        connection.execute(sa.insert(SearchEntry), entries)
        connection.execute(sa.text("INSERT INTO product_search_fts(rowid, name, body) "
                                   "VALUES (:product_id, :name, :body)"), texts)

    def _where(self, words: list[str]):
        expression = " AND ".join(f'"{word}"*' for word in words)
        return sa.text("product_search_fts MATCH :expression").bindparams(expression=expression)

    def condition(self, words: list[str]):
        """Products holding every word, as a word or a word's beginning (for counts and filters)."""
        from marketplace.search.models import SearchEntry

        return SearchEntry.product_id.in_(sa.select(sa.literal_column("rowid")).select_from(
            sa.text("product_search_fts")).where(self._where(words)))

    def ranked(self, words: list[str]) -> sa.Select:
        """(product_id, rank), lower rank first: BM25 with names weighing ten times the rest."""
        return sa.select(sa.literal_column("rowid").label("product_id"),
                         sa.literal_column("bm25(product_search_fts, 10.0, 1.0)").label("rank")).select_from(
            sa.text("product_search_fts")).where(self._where(words))

    def similar_names(self, words: list[str]) -> sa.Select | None:
        return None  # SQLite has no trigram similarity; typo tolerance needs PostgreSQL


class PostgresBackend:
    """The words live in `search_entries` itself (a tsvector and the normalised name), so matching, filtering
    and facet counting read one table through its GIN indexes, with no join."""

    name = "postgresql"

    def ensure_schema(self, connection: sa.Connection) -> None:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        connection.execute(sa.text("ALTER TABLE search_entries ADD COLUMN IF NOT EXISTS search_name text, "
                                   "ADD COLUMN IF NOT EXISTS search_document tsvector"))
        connection.execute(sa.text("CREATE INDEX IF NOT EXISTS search_entries_document "
                                   "ON search_entries USING gin (search_document)"))
        connection.execute(sa.text("CREATE INDEX IF NOT EXISTS search_entries_name_trigram "
                                   "ON search_entries USING gin (search_name gin_trgm_ops)"))

    def drop_schema(self, connection: sa.Connection) -> None:
        connection.execute(sa.text("DROP TABLE IF EXISTS product_search_text"))  # the first layout
        connection.execute(sa.text("ALTER TABLE IF EXISTS search_entries DROP COLUMN IF EXISTS search_name, "
                                   "DROP COLUMN IF EXISTS search_document"))

    def delete(self, connection: sa.Connection, product_ids: list[int]) -> None:
        pass  # the words go with the entry's row

    def write(self, connection: sa.Connection, entries: list[dict], texts: list[dict]) -> None:
        """Entries and their words in one INSERT: no second version of every row to vacuum away."""
        from marketplace.search.models import SearchEntry

        table = sa.table("search_entries", *[sa.column(column.name, column.type)
                                             for column in SearchEntry.__table__.columns],
                         sa.column("search_name"), sa.column("search_document"))
        name, body = sa.bindparam("search_name_words"), sa.bindparam("search_body_words")
        document = sa.func.setweight(sa.func.to_tsvector(sa.literal_column("'simple'"), name),
                                     sa.literal_column("'A'")).op("||")(
            sa.func.setweight(sa.func.to_tsvector(sa.literal_column("'simple'"), body), sa.literal_column("'B'")))
        words = {text["product_id"]: text for text in texts}
        rows = [{**entry, "search_name_words": words[entry["product_id"]]["name"],
                 "search_body_words": words[entry["product_id"]]["body"]} for entry in entries]
        connection.execute(table.insert().values(search_name=name, search_document=document), rows)

    def _query(self, words: list[str]):
        expression = " & ".join(f"{word}:*" for word in words)
        return sa.func.to_tsquery(sa.literal_column("'simple'"), sa.bindparam("expression", expression))

    def condition(self, words: list[str]):
        return sa.literal_column("search_entries.search_document").op("@@")(self._query(words))

    def ranked(self, words: list[str]) -> sa.Select:
        document = sa.literal_column("search_entries.search_document")
        # ts_rank grows with relevance; negate it so that, as with BM25, lower ranks come first.
        return (sa.select(sa.literal_column("search_entries.product_id").label("product_id"),
                          (-sa.func.ts_rank(document, self._query(words))).label("rank"))
                .select_from(sa.text("search_entries")).where(self.condition(words)))

    def similar_names(self, words: list[str]) -> sa.Select | None:
        """(product_id, rank) of names close to the words, for when nothing matched exactly."""
        phrase = sa.bindparam("phrase", " ".join(words))
        name = sa.literal_column("search_entries.search_name")
        return (sa.select(sa.literal_column("search_entries.product_id").label("product_id"),
                          (-sa.func.word_similarity(phrase, name)).label("rank"))
                .select_from(sa.text("search_entries")).where(phrase.op("<%")(name)))


def backend_for(dialect_name: str):
    return PostgresBackend() if dialect_name == "postgresql" else SqliteBackend()
