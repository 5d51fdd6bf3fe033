"""The case text search's index: n-gram terms kept in ``Case.search_terms``, looked up through
the database's own inverted index (FTS5 on SQLite, a GIN index on PostgreSQL).

A case's text search (``query.case_text_q``) means "the words typed are a case-insensitive
substring of the address or the description". Scanning every row for that costs ≈ 0.85 s at a
year of cases (≈ 460,000), for a search that matches nothing too. Chinese text has no spaces and
most searches are two characters (井盖, 路灯), so neither word tokenizers nor trigram indexes
(``pg_trgm`` extracts nothing from a two-character pattern) can answer it. Instead each case
stores the n-grams of its text, and a search first asks the index for the cases holding every
n-gram of the words typed, then checks the substring on those few rows only:

- a run of CJK characters (and other scripts without spaces) gives its single characters and
  its pairs (``井盖破损`` → 井 盖 破 损 井盖 盖破 破损);
- a run of Latin letters and digits gives its trigrams (``b12路`` → ``b12`` and 路).

Every substring of a text has all of its n-grams among the text's n-grams, so the index never
misses a case the plain substring test would find; the substring test then drops the cases
whose n-grams are there but not next to each other. Words of one or two Latin characters give
no trigram and, when nothing else in the search does, the search scans as before
(:func:`search_terms_query` returns ``None``).

The index structures are the database's own (migration ``0009_case_search_terms``):
SQLite: an external-content FTS5 table ``cases_case_fts`` over ``search_terms`` kept in step by
triggers; PostgreSQL: a GIN index on ``string_to_array(search_terms, ' ')``, queried with
``@>`` (array containment: no text-search parser, so no locale decides what a word is).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

# Characters below this code point that are letters or digits form Latin-like runs (words
# separated by spaces: trigrams); above it, CJK and other scripts written without spaces.
_WIDE_FROM = 0x2E80


def _runs(text: str) -> Iterable[tuple[bool, str]]:
    """(wide, run) for each maximal run of letters/digits of one kind, lower-cased."""
    run: list[str] = []
    wide = False
    for ch in text.lower():
        if not ch.isalnum():
            if run:
                yield wide, "".join(run)
                run = []
            continue
        w = ord(ch) >= _WIDE_FROM
        if run and w != wide:
            yield wide, "".join(run)
            run = []
        wide = w
        run.append(ch)
    if run:
        yield wide, "".join(run)


def _grams(wide: bool, run: str) -> list[str]:
    if wide:
        return [*run, *(run[i : i + 2] for i in range(len(run) - 1))]
    return [run[i : i + 3] for i in range(len(run) - 2)]


def text_terms(*texts: str) -> str:
    """The space-separated distinct n-grams of the texts (what ``Case.search_terms`` holds)."""
    seen: dict[str, None] = {}
    for text in texts:
        for wide, run in _runs(text or ""):
            for gram in _grams(wide, run):
                seen.setdefault(gram, None)
    return " ".join(seen)


def query_terms(text: str) -> list[str]:
    """The n-grams a case must hold for ``text`` to be a substring of its text (may be empty).

    A wide run needs only its pairs (its characters are in them), or its one character."""
    terms: dict[str, None] = {}
    for wide, run in _runs(text):
        grams = (run[i : i + 2] for i in range(len(run) - 1)) if wide and len(run) > 1 else None
        for gram in grams if grams is not None else _grams(wide, run):
            terms.setdefault(gram, None)
    return list(terms)


# A search whose rarest n-gram is held by more than this share of the cases (and by more than
# ``COMMON_MIN_DOCS`` of them) does not use the index on SQLite: fetching and sorting tens of
# thousands of matches costs more than walking the list's own order and testing the substring,
# which finds a page of matches within a few hundred rows (路 is in a third of all addresses).
COMMON_SHARE = 0.02
COMMON_MIN_DOCS = 5000


def _common_on_sqlite(terms: list[str]) -> bool:
    """True when every term of the search is held by many cases (SQLite's FTS5 vocabulary
    table counts the cases holding a term; PostgreSQL's planner has its own statistics)."""
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(terms))
        cursor.execute(
            f"SELECT count(*), min(doc) FROM cases_case_fts_vocab WHERE term IN ({marks})",  # noqa: S608
            terms,
        )
        found, rarest = cursor.fetchone()
        if found < len(set(terms)) or rarest <= COMMON_MIN_DOCS:
            return False
        cursor.execute('SELECT max("id") FROM "cases_case"')
        total = cursor.fetchone()[0] or 0
    return bool(rarest > COMMON_SHARE * total)


def search_terms_query(text: str) -> Q | None:
    """A condition selecting the cases whose terms hold every n-gram of ``text`` — a superset
    of the cases that contain ``text``; ``None`` when ``text`` yields no n-gram, or (SQLite)
    when every n-gram is common, so the plain substring test is the cheaper way."""
    terms = query_terms(text)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        sql = 'string_to_array("cases_case"."search_terms", \' \') @> %s::text[]'
        # the terms are a bound parameter; the SQL text is constant
        return Q(RawSQL(sql, (terms,), output_field=BooleanField()))  # noqa: S611
    if connection.vendor == "sqlite":
        if _common_on_sqlite(terms):
            return None
        match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sql = (
            '"cases_case"."id" IN (SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s)'
        )
        return Q(RawSQL(sql, (match,), output_field=BooleanField()))  # noqa: S611
    return None


# --- the index structures: created by migration 0009; on SQLite re-created after every
# ``migrate`` when missing, because SQLite's ALTER TABLE emulation (a later migration adding a
# column to the case table) copies the table and drops its triggers.

# How many cases hold each term (``_common_on_sqlite``): a view over the FTS index, no data.
SQLITE_VOCAB = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts_vocab USING fts5vocab(cases_case_fts, 'row')"
)
SQLITE_SETUP: tuple[str, ...] = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cases_case_fts USING fts5("
    "search_terms, content='cases_case', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_ai AFTER INSERT ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(rowid, search_terms) VALUES (new.id, new.search_terms); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_ad AFTER DELETE ON cases_case BEGIN "
    "INSERT INTO cases_case_fts(cases_case_fts, rowid, search_terms) "
    "VALUES ('delete', old.id, old.search_terms); END",
    "CREATE TRIGGER IF NOT EXISTS cases_case_fts_au AFTER UPDATE OF search_terms ON cases_case "
    "BEGIN INSERT INTO cases_case_fts(cases_case_fts, rowid, search_terms) "
    "VALUES ('delete', old.id, old.search_terms); "
    "INSERT INTO cases_case_fts(rowid, search_terms) VALUES (new.id, new.search_terms); END",
    SQLITE_VOCAB,
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
)
SQLITE_TEARDOWN: tuple[str, ...] = (
    "DROP TABLE IF EXISTS cases_case_fts_vocab",
    "DROP TRIGGER IF EXISTS cases_case_fts_au",
    "DROP TRIGGER IF EXISTS cases_case_fts_ad",
    "DROP TRIGGER IF EXISTS cases_case_fts_ai",
    "DROP TABLE IF EXISTS cases_case_fts",
)
POSTGRES_SETUP: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS cases_case_search_terms ON cases_case "
    "USING gin (string_to_array(search_terms, ' '))",
)
POSTGRES_TEARDOWN: tuple[str, ...] = ("DROP INDEX IF EXISTS cases_case_search_terms",)


def index_ensure(conn: BaseDatabaseWrapper, *, rebuild: bool = True) -> bool:
    """Create the index structures of ``conn`` when missing; True when something was created."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name IN ('cases_case_fts_ai', 'cases_case_fts_ad', 'cases_case_fts_au')"
            )
            if cursor.fetchone()[0] == 3:
                cursor.execute(SQLITE_VOCAB)  # a database indexed before the vocabulary
                return False
            for sql in SQLITE_SETUP if rebuild else SQLITE_SETUP[:-1]:
                cursor.execute(sql)
            return True
        if conn.vendor == "postgresql":
            for sql in POSTGRES_SETUP:
                cursor.execute(sql)
            return True
    return False


def index_drop(conn: BaseDatabaseWrapper) -> None:
    with conn.cursor() as cursor:
        statements = {"sqlite": SQLITE_TEARDOWN, "postgresql": POSTGRES_TEARDOWN}
        for sql in statements.get(conn.vendor, ()):
            cursor.execute(sql)
