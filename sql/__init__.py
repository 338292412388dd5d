"""PostgreSQL access: where the database is, connecting, migrations, named queries.

All SQL text lives next to this module: numbered migrations `NNNN_*.sql` and `queries.sql`.
The embedded server is in `embedded.py`, connection strings in `dsn.py`.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import platformdirs
import psycopg
from akhbar.sql.dsn import DATABASE_URL_ENV, DatabaseError, check_dsn, first_line, redact, scrub
from akhbar.sql.embedded import EMBEDDED_DATABASE, embedded_database_url
from psycopg.rows import dict_row

__all__ = ["DATABASE_URL_ENV", "DATA_DIR_ENV", "EMBEDDED_DATABASE", "DatabaseError", "connect",
           "data_dir", "database_url", "embedded_database_url", "migrate", "migrations", "query",
           "queries", "redact"]

DATA_DIR_ENV = "AKHBAR_DATA_DIR"
SQL_DIR = Path(__file__).parent
MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
QUERY_NAME = re.compile(r"^-- name: (\w+)\s*$", re.MULTILINE)
# An arbitrary constant so concurrent commands apply migrations one at a time.
MIGRATION_LOCK_ID = 0x616B68626172


def data_dir() -> Path:
    """akhbar's data directory: $AKHBAR_DATA_DIR or the platform's user data directory."""
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured).expanduser() if configured else platformdirs.user_data_path("akhbar")


def database_url() -> str:
    """$AKHBAR_DATABASE_URL when set (and valid), otherwise the embedded server (started now)."""
    configured = os.environ.get(DATABASE_URL_ENV)
    if configured:
        check_dsn(configured)
        return configured
    return embedded_database_url(data_dir() / "pgdata")


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    """Open a connection, turning connection failures into a message that says what to do."""
    url = url or database_url()
    check_dsn(url)
    try:
        return psycopg.connect(url, row_factory=dict_row, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        raise DatabaseError(
            f"cannot connect to PostgreSQL at {redact(url)}: {scrub(first_line(exc), url)}. "
            f"Check that the server is running and {DATABASE_URL_ENV} is right, "
            f"or unset {DATABASE_URL_ENV} to use the embedded database."
        ) from exc


def migrations() -> list[tuple[int, str, Path]]:
    """The numbered migration files, in order."""
    found = []
    for path in sorted(SQL_DIR.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if match:
            found.append((int(match[1]), match[2], path))
    return found


def migrate(url: str | None = None) -> list[str]:
    """Apply pending migrations, each in its own transaction; return the names applied."""
    applied_now = []
    with connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for version, name, path in migrations():
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_ID,))
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = %s", (version,)
                ).fetchone()
                if done:
                    continue
                try:
                    conn.execute(path.read_text(encoding="utf-8"))
                except psycopg.Error as exc:
                    raise DatabaseError(f"migration {path.name} failed: {exc}") from exc
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (version, name),
                )
                applied_now.append(path.name)
    return applied_now


@cache
def queries() -> dict[str, str]:
    """The named queries of queries.sql."""
    text = (SQL_DIR / "queries.sql").read_text(encoding="utf-8")
    parts = QUERY_NAME.split(text)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def query(name: str) -> str:
    """One named query."""
    try:
        return queries()[name]
    except KeyError:
        raise KeyError(f"no query named {name!r} in {SQL_DIR / 'queries.sql'}") from None
