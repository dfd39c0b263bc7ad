"""The two text back ends behind one interface.

SQLite (the embedded default): an FTS5 table with prefix indexes, ranked by BM25 with names weighing ten
times descriptions. PostgreSQL: a tsvector column on `search_entries` with names in weight A, ranked by
ts_rank, plus pg_trgm on names so a misspelt word still finds something. Both are made outside the ORM models
(neither type exists on the other database) by `ensure_schema`, which the migrations and the tests call;
Alembic is told to ignore them (`core/migrations.include_in_migrations`).

Each worker also holds the words in memory (`words.WordIndex`, loaded through `word_postings` and `word_rows`) and
there finds and ranks matches by BM25 on both databases; the database's own matching and ranking (`condition`,
`ranked`) serve filters and sorts in SQL and the searches counted without the workers' columns.
"""

from collections.abc import Iterator, Sequence

import numpy as np
import sqlalchemy as sa

from marketplace.search.services.words import NAME_WEIGHT

# The search entry's columns that filtering and facet counting read, in one covering index on SQLite.
FACET_INDEX_COLUMNS = ("product_id", "parent_category_id", "province_code", "regency_code", "cooperative_type",
                       "availability", "in_stock", "category_id", "halal_until", "pirt_until", "bpom_md_until",
                       "sni_until", "is_pesantren", "opop_participant", "local_content", "base_price")

FTS_TABLE = sa.table("product_search_fts")

# Cooperative names in trigrams (SQLite), kept by triggers on `cooperatives`, so a search finds the cooperatives
# whose name holds its words without scanning every name (1.3–1.6 ms at 10,000 cooperatives).
COOPERATIVE_NAMES_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cooperative_names_fts USING fts5("
    "name, content='cooperatives', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS cooperative_names_fts_added AFTER INSERT ON cooperatives BEGIN "
    "INSERT INTO cooperative_names_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER IF NOT EXISTS cooperative_names_fts_removed AFTER DELETE ON cooperatives BEGIN "
    "INSERT INTO cooperative_names_fts(cooperative_names_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER IF NOT EXISTS cooperative_names_fts_renamed AFTER UPDATE OF name ON cooperatives BEGIN "
    "INSERT INTO cooperative_names_fts(cooperative_names_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO cooperative_names_fts(rowid, name) VALUES (new.id, new.name); END",
)
COOPERATIVE_NAMES_DROP = ("DROP TRIGGER IF EXISTS cooperative_names_fts_added",
                          "DROP TRIGGER IF EXISTS cooperative_names_fts_removed",
                          "DROP TRIGGER IF EXISTS cooperative_names_fts_renamed",
                          "DROP TABLE IF EXISTS cooperative_names_fts")
# The words of the whole text index are read this many at a time (`word_postings`): a common word's row holds
# every occurrence (`koperasi`: 1.5 MB of text at 100,000 products), and the common words sort together, so
# 5,000 at a time took a loading worker 70 MB above its columns, 100 at a time 37 MB, in the same time.
WORDS_READ_AT_ONCE = 100
# Past this many names holding the words, scanning the names in order finds the first few sooner.
MOST_NAMES_LOOKED_UP = 200


class SqliteBackend:
    name = "sqlite"
    # Measured at 100,000 products: SQLite groups slowly by computed columns, so a search with words and chosen
    # facets is counted faster in one narrow pass per chosen facet than in one wide pass (query._count).
    counts_in_one_pass = False

    def ensure_schema(self, connection: sa.Connection) -> None:
        connection.execute(sa.text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS product_search_fts USING fts5("
            "name, body, tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"))
        # What counting the facets reads of every matching row, so a broad word's thousands of rows are read
        # from this narrow index rather than from the wide rows that also hold what a result card shows.
        connection.execute(sa.text(
            f"CREATE INDEX IF NOT EXISTS search_entries_facets ON search_entries ({', '.join(FACET_INDEX_COLUMNS)})"))
        if connection.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'cooperative_names_fts'")).first() \
                is None:
            for statement in COOPERATIVE_NAMES_SCHEMA:
                connection.execute(sa.text(statement))
            connection.execute(sa.text("INSERT INTO cooperative_names_fts(cooperative_names_fts) VALUES ('rebuild')"))

    def drop_schema(self, connection: sa.Connection) -> None:
        connection.execute(sa.text("DROP TABLE IF EXISTS product_search_fts"))
        connection.execute(sa.text("DROP INDEX IF EXISTS search_entries_facets"))
        for statement in COOPERATIVE_NAMES_DROP:
            connection.execute(sa.text(statement))

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
            FTS_TABLE).where(self._where(words)))

    def ranked(self, words: list[str], newest: int | None, where: list) -> sa.Select:
        """(product_id, rank), lower rank first: BM25 with names weighing ten times the rest, for the products
        holding the words and passing `where` (only the `newest` of them, when given)."""
        from marketplace.search.models import SearchEntry

        rowid = sa.literal_column("rowid")
        bm25 = sa.literal_column(f"bm25(product_search_fts, {NAME_WEIGHT}, 1.0)")
        statement = sa.select(rowid.label("product_id"), bm25.label("rank")).select_from(FTS_TABLE).where(
            self._where(words))
        if newest is None:
            if where:
                statement = statement.where(sa.literal_column("+rowid").in_(
                    sa.select(SearchEntry.product_id).where(*where, self.condition(words))))
            return statement
        if not where:
            # FTS5 walks its rowids backwards to the newest-th match and reads only the range from there.
            cutoff = (sa.select(rowid).select_from(FTS_TABLE).where(self._where(words)).order_by(rowid.desc())
                      .offset(newest - 1).limit(1).scalar_subquery())
            return statement.where(rowid >= sa.func.coalesce(cutoff, 0))
        candidates = (sa.select(SearchEntry.product_id).where(*where, self.condition(words))
                      .order_by(SearchEntry.product_id.desc()).limit(newest))
        # The unary + keeps FTS5 from looking each candidate up in the text index one by one: the words are
        # matched once and each match checked against the candidates.
        return statement.where(sa.literal_column("+rowid").in_(candidates))

    def contains(self, column, word: str):
        """The column holds the word anywhere (SQLite's LIKE already ignores the case of ASCII letters)."""
        return column.like(f"%{word}%")

    def cooperatives_named(self, connection: sa.Connection, words: list[str]) -> list[int] | None:
        """Ids of the cooperatives whose name may hold every word (the trigrams narrow, `contains` decides); None
        when they cannot narrow cheaply: a word under three letters, or more names than `MOST_NAMES_LOOKED_UP`."""
        if not words or any(len(word) < 3 for word in words):
            return None
        condition = " AND ".join(f"name LIKE :word_{index}" for index in range(len(words)))
        ids = list(connection.scalars(
            sa.text(f"SELECT rowid FROM cooperative_names_fts WHERE {condition} LIMIT {MOST_NAMES_LOOKED_UP + 1}"),
            {f"word_{index}": f"%{word}%" for index, word in enumerate(words)}))
        return None if len(ids) > MOST_NAMES_LOOKED_UP else ids

    def similar_names(self, words: list[str]) -> sa.Select | None:
        return None  # SQLite has no trigram similarity; typo tolerance needs PostgreSQL

    def word_postings(self, connection: sa.Connection) -> Iterator[Sequence[sa.Row]]:
        """Every word the text index holds, in code point order, with how often it occurs and where: each
        occurrence as product id × 2, + 1 outside the name (`words.WordIndex.add`). FTS5's own vocabulary, so the
        words are split as the index split them, and in C: 0.8 s at 100,000 products."""
        connection.execute(sa.text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.product_search_words "
                                   "USING fts5vocab(main, 'product_search_fts', 'instance')"))
        return connection.execute(sa.text(
            "SELECT term, count(*), group_concat(doc * 2 + (col <> 'name')) FROM temp.product_search_words "
            "GROUP BY term ORDER BY term").execution_options(yield_per=WORDS_READ_AT_ONCE)).partitions(
            WORDS_READ_AT_ONCE)

    def word_rows(self, connection: sa.Connection, product_ids: list[int]) -> Sequence[sa.Row]:
        """(product_id, name words, other words) of these products, as the text index holds them."""
        return connection.execute(sa.text("SELECT rowid, name, body FROM product_search_fts WHERE rowid IN :ids")
                                  .bindparams(sa.bindparam("ids", expanding=True)), {"ids": product_ids}).all()

    # What changed in the index since a reader last looked (`columns.FacetColumns`). One writer at a time:
    # a change's id is handed out and committed before the next writer's, so "after the last id read" is exact.

    def transaction_id(self, connection: sa.Connection) -> int | None:
        return None

    def change_mark(self, connection: sa.Connection) -> int:
        from marketplace.search.models import SearchChange

        return connection.scalar(sa.select(sa.func.coalesce(sa.func.max(SearchChange.id), 0))) or 0

    def changes_since(self, connection: sa.Connection, mark: int) -> tuple[int, set[int | None]]:
        from marketplace.search.models import SearchChange

        rows = connection.execute(sa.select(SearchChange.id, SearchChange.product_id)
                                  .where(SearchChange.id > mark)).all()
        return max((row.id for row in rows), default=mark), {row.product_id for row in rows}


class PostgresBackend:
    """The words live in `search_entries` itself (a tsvector and the normalised name), so matching, filtering
    and facet counting read one table through its GIN indexes, with no join."""

    name = "postgresql"
    counts_in_one_pass = True  # each pass over the matching rows reads them from the heap again

    def ensure_schema(self, connection: sa.Connection) -> None:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        connection.execute(sa.text("ALTER TABLE search_entries ADD COLUMN IF NOT EXISTS search_name text, "
                                   "ADD COLUMN IF NOT EXISTS search_document tsvector"))
        connection.execute(sa.text("CREATE INDEX IF NOT EXISTS search_entries_document "
                                   "ON search_entries USING gin (search_document)"))
        connection.execute(sa.text("CREATE INDEX IF NOT EXISTS search_entries_name_trigram "
                                   "ON search_entries USING gin (search_name gin_trgm_ops)"))
        connection.execute(sa.text("CREATE INDEX IF NOT EXISTS cooperatives_name_trigram "
                                   "ON cooperatives USING gin (name gin_trgm_ops)"))

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

    def ranked(self, words: list[str], newest: int | None, where: list) -> sa.Select:
        from marketplace.search.models import SearchEntry

        # ts_rank grows with relevance; negate it so that, as with BM25, lower ranks come first.
        rank = -sa.func.ts_rank(sa.literal_column("search_entries.search_document"), self._query(words))
        statement = (sa.select(SearchEntry.product_id.label("product_id"), rank.label("rank"))
                     .where(self.condition(words), *where))
        if newest is None:
            return statement
        # The newest-th match, read backwards along the key (which stops there), bounds what is ranked.
        cutoff = (sa.select(SearchEntry.product_id).where(self.condition(words), *where)
                  .order_by(SearchEntry.product_id.desc()).offset(newest - 1).limit(1).scalar_subquery())
        return statement.where(SearchEntry.product_id >= cutoff)

    def contains(self, column, word: str):
        return column.ilike(f"%{word}%")  # answered from the trigram index on cooperative names

    def cooperatives_named(self, connection: sa.Connection, words: list[str]) -> list[int] | None:
        return None  # `contains` is answered from the trigram index on cooperative names itself

    def similar_names(self, words: list[str]) -> sa.Select | None:
        """(product_id, rank) of names close to the words, for when nothing matched exactly."""
        phrase = sa.bindparam("phrase", " ".join(words))
        name = sa.literal_column("search_entries.search_name")
        return (sa.select(sa.literal_column("search_entries.product_id").label("product_id"),
                          (-sa.func.word_similarity(phrase, name)).label("rank"))
                .select_from(sa.text("search_entries")).where(phrase.op("<%")(name)))

    def word_postings(self, connection: sa.Connection) -> Iterator[Sequence[sa.Row]]:
        """Every word of the word vectors, as `SqliteBackend.word_postings` gives them: the name's words are
        weight A, the rest's B. Grouped in the database (2.4 s at 100,000 products with the default working
        memory, which spills the grouping to disk; given 64 MB for this one transaction, 1.5 s)."""
        if connection.in_transaction():
            connection.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        in_name = "coalesce(cardinality(array_positions(u.weights, 'A')), 0)"
        return connection.execute(sa.text(
            'SELECT u.lexeme COLLATE "C", sum(cardinality(u.weights)), '
            f"string_agg(rtrim(repeat((e.product_id * 2)::text || ',', {in_name}) || "
            f"repeat((e.product_id * 2 + 1)::text || ',', cardinality(u.weights) - {in_name}), ','), ',') "
            "FROM search_entries e, unnest(e.search_document) u GROUP BY 1 ORDER BY 1")
            .execution_options(yield_per=WORDS_READ_AT_ONCE)).partitions(WORDS_READ_AT_ONCE)

    def word_rows(self, connection: sa.Connection, product_ids: list[int]) -> Sequence[sa.Row]:
        """(product_id, name words, other words): each word of the name's (weight A) and the rest's (B) part of
        the word vector, repeated as often as it occurs."""
        def words_weighing(weight: str) -> str:
            return ("(SELECT string_agg(repeat(lexeme || ' ', cardinality(positions)), '') "
                    f"FROM unnest(ts_filter(search_document, '{{{weight}}}')))")

        return connection.execute(sa.text(
            f"SELECT product_id, {words_weighing('a')}, {words_weighing('b')} FROM search_entries "
            "WHERE product_id = ANY(:ids)"), {"ids": product_ids}).all()

    # What changed in the index since a reader last looked (`columns.FacetColumns`). Sequence values are handed
    # out before commit, so a later id can be seen before an earlier one. Each change carries its transaction's
    # id instead; a reader keeps the oldest transaction its snapshot could not see yet (the snapshot's xmin) and
    # next time reads the changes of that transaction and every later one. Some are read twice, none missed.

    def transaction_id(self, connection: sa.Connection) -> int | None:
        return connection.scalar(sa.text("SELECT pg_current_xact_id()::text::bigint"))

    def change_mark(self, connection: sa.Connection) -> int:
        return connection.scalar(sa.text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")) or 0

    def changes_since(self, connection: sa.Connection, mark: int) -> tuple[int, set[int | None]]:
        """One statement, so the changes are read in the very snapshot whose xmin becomes the next mark (and a
        search pays one round trip for it)."""
        new_mark, changed = connection.execute(sa.text(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
            "ARRAY(SELECT product_id FROM search_changes WHERE transaction_id >= :mark)"), {"mark": mark}).one()
        return new_mark or 0, set(changed)


def ranked_ids_of(connection: sa.Connection, ranked: sa.Subquery) -> tuple[np.ndarray, np.ndarray]:
    """The (product_id, rank) rows a statement finds, as two arrays in the same order, read in one value each
    (both aggregates see the rows in one order)."""
    ids, ranks = connection.execute(sa.select(_joined(ranked.c.product_id), _joined(ranked.c.rank))).one()
    return _ids_from_text(ids), (np.fromstring(ranks, dtype=np.float64, sep=",") if ranks
                                 else np.zeros(0, dtype=np.float64))


def _joined(column):
    """A column's values as one comma-separated text (PostgreSQL): thousands of ids fetched as one value."""
    return sa.func.string_agg(sa.cast(column, sa.Text), sa.literal_column("','"))


def _ids_from_text(joined: str | None) -> np.ndarray:
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")  # parses in C: 0.5 ms for 20,000 ids


def backend_for(dialect_name: str):
    return PostgresBackend() if dialect_name == "postgresql" else SqliteBackend()
