"""Shared fixtures: a real PostgreSQL (embedded or $AKHBAR_DATABASE_URL), a migrated template
database cloned per test, Prefect's test harness, and loopback news sites."""

from __future__ import annotations

import itertools
import os
import signal

# Retries stay on in tests, without the production waits between them.
os.environ.setdefault("AKHBAR_RETRY_DELAYS", "0,0")
import tempfile

# The user's own seeds folder is never read by the tests: an empty one of the session's.
os.environ["AKHBAR_SEEDS_DIR"] = tempfile.mkdtemp(prefix="akhbar-test-seeds-")
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from akhbar import sql
from akhbar.flows.demo.run import DEMO_HOST, DEMO_SEEDS_DIR
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import build_site

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE_DB = "akhbar_test_template"
_database_numbers = itertools.count()


def _with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**info)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


# SIGTERM (a CI timeout, `kill`) stops the run like Ctrl-C, so the session's fixtures still
# stop the PostgreSQL and Prefect servers they started.
signal.signal(signal.SIGTERM, _interrupt)
# A run started in the background of a non-interactive shell (`.ci/run &`) inherits SIGINT
# ignored, and so would every process the tests start: the Ctrl-C tests would then see nothing.
# A handler here is reset to the default in those processes (an ignored signal stays ignored).
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def fresh_settings():
    """Settings are read once per process; a test that sets AKHBAR_* sees its own values."""
    from akhbar.seeds.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """A PostgreSQL server for the whole session: $AKHBAR_DATABASE_URL or an embedded one."""
    external = os.environ.get(sql.DATABASE_URL_ENV)
    if external:
        yield external
        return
    from akhbar.sql import embedded

    with tempfile.TemporaryDirectory(prefix="akhbar-test-pg-") as directory:
        server = embedded.join(Path(directory) / "pgdata")
        yield server.url()
        server.leave()


@pytest.fixture(scope="session")
def template_url(admin_url: str) -> str:
    """A database built from the migrations once, cloned by every test that needs one."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    url = _with_database(admin_url, TEMPLATE_DB)
    sql.migrate(url)
    return url


@pytest.fixture
def make_database(admin_url: str, template_url: str) -> Iterator:
    """A factory of fresh migrated databases (dropped after the test); returns their URLs."""
    names = []

    def make() -> str:
        name = f"akhbar_test_{os.getpid()}_{next(_database_numbers)}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
        names.append(name)
        return _with_database(admin_url, name)

    yield make
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(make_database, monkeypatch) -> str:
    """A fresh migrated database for one test, also exported as $AKHBAR_DATABASE_URL."""
    url = make_database()
    monkeypatch.setenv(sql.DATABASE_URL_ENV, url)
    return url


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """Prefect's test harness: a real temporary API server for the session."""
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from akhbar.flows.serve import without_heartbeats
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120), without_heartbeats():
        yield PREFECT_API_URL.value()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def prefect_server(tmp_path) -> Iterator[str]:
    """A real `prefect server` (started by `akhbar ui`) on a free port; its base URL."""
    import subprocess
    import sys

    port = free_port()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect-home"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "akhbar.flows.cli", "ui", "--port",
                                str(port)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == f"Prefect UI: http://127.0.0.1:{port}"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture
def demo_site() -> Iterator[LoopbackNetwork]:
    """The bundled demo site served on 127.0.0.1."""
    with LoopbackNetwork({DEMO_HOST: build_site(f"http://{DEMO_HOST}")}) as network:
        yield network


@pytest.fixture
def demo_seeds_dir() -> Path:
    return DEMO_SEEDS_DIR


def table_snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of the content tables, for comparing two runs."""
    tables = {
        "sources": "SELECT * FROM sources ORDER BY id",
        "pages": "SELECT * FROM pages ORDER BY id",
        "articles": "SELECT * FROM articles ORDER BY id",
        "rejects": "SELECT * FROM rejects ORDER BY id",
    }
    with psycopg.connect(url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in tables.items()}
