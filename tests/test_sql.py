"""Migrations, schema and database errors, on a real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from akhbar import sql
from conftest import FIXTURES

SCHEMA_FILE = FIXTURES / "schema.txt"
SCHEMA_QUERY = """
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
       || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
       || CASE WHEN is_generated = 'ALWAYS' THEN ' generated' ELSE '' END
FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
ORDER BY 1
"""


def schema_of(url: str) -> str:
    with psycopg.connect(url) as conn:
        return "\n".join(row[0] for row in conn.execute(SCHEMA_QUERY)) + "\n"


def test_schema_from_migrations_matches_the_committed_dump(database_url):
    schema = schema_of(database_url)
    if os.environ.get("AKHBAR_REGENERATE"):  # regenerate on purpose after a new migration
        SCHEMA_FILE.write_text(schema)
    assert schema == SCHEMA_FILE.read_text()


def test_migrate_is_idempotent_and_recorded(database_url):
    assert sql.migrate(database_url) == []
    with psycopg.connect(database_url) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == [v for v, _, _ in sql.migrations()]


def test_full_text_search_uses_arabic(database_url):
    with psycopg.connect(database_url) as conn:
        expression = conn.execute(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
            "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = 'articles'::regclass AND a.attname = 'search'").fetchone()[0]
    assert "'arabic'::regconfig" in expression


def test_every_named_query_is_valid_sql(database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute("CREATE TEMPORARY TABLE article_staging (LIKE articles INCLUDING DEFAULTS)")
        for _name, text in sql.queries().items():
            if text.startswith(("CREATE", "COPY", "-- Dropped", "DROP")):
                continue
            # Planning the statement checks tables, columns and parameter use without running it.
            params = {p: None for p in __import__("re").findall(r"%\((\w+)\)s", text)}
            conn.execute(f"EXPLAIN {text}", params)


def test_unreachable_database_gives_a_clear_error():
    url = "postgresql://akhbar:secret@127.0.0.1:1/nowhere"
    with pytest.raises(sql.DatabaseError) as error:
        sql.connect(url)
    message = str(error.value)
    assert "cannot connect to PostgreSQL at postgresql://akhbar:***@127.0.0.1:1/nowhere" in message
    assert "secret" not in message
    assert "AKHBAR_DATABASE_URL" in message


def test_cli_reports_unreachable_database_without_traceback(tmp_path):
    env = dict(os.environ, AKHBAR_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    result = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", "db", "migrate"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("akhbar: error: cannot connect to PostgreSQL")
    assert "Traceback" not in result.stderr


def test_migration_files_are_numbered_and_described():
    for _version, _name, path in sql.migrations():
        assert Path(path).read_text().startswith("-- "), f"{path.name} must open with a comment"
    numbers = [v for v, _, _ in sql.migrations()]
    assert numbers == list(range(1, len(numbers) + 1))
