"""The embedded PostgreSQL as akhbar processes use it: real processes, kills and servers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from akhbar.sql import redact

AKHBAR = Path(sys.executable).with_name("akhbar")
SECRET = "s3cr3t-PW"


def environment(data: Path) -> dict[str, str]:
    """This environment with the embedded database in `data`."""
    env = {k: v for k, v in os.environ.items() if k != "AKHBAR_DATABASE_URL"}
    return env | {"AKHBAR_DATA_DIR": str(data)}


DSNS = [
    f"postgresql://akhbar:{SECRET}@127.0.0.1:1/akhbar",
    f"postgres://akhbar:{SECRET}@127.0.0.1:1/akhbar",
    f"postgresql://:{SECRET}@127.0.0.1:1/akhbar",
    f"postgresql://akhbar@127.0.0.1:1/akhbar?password={SECRET}",
    f"postgresql://akhbar@127.0.0.1:1/akhbar?sslmode=disable&password={SECRET}&application_name=x",
    f"host=127.0.0.1 port=1 password={SECRET} dbname=akhbar",
    f"host=127.0.0.1 port=1 password='{SECRET} with spaces' dbname=akhbar",
    f"host=127.0.0.1 port=1 password = '{SECRET}\\'s' dbname=akhbar",
    f"mysql://akhbar:{SECRET}@127.0.0.1:1/akhbar",
    f"postgresql+psycopg://akhbar:{SECRET}@127.0.0.1:1/akhbar",
    f"postgresql://akhbar:{SECRET}%zz@127.0.0.1:1/akhbar",
]


@pytest.mark.parametrize("dsn", DSNS)
def test_redact_hides_the_password(dsn):
    redacted = redact(dsn)
    assert SECRET not in redacted
    assert "127.0.0.1" in redacted and "***" in redacted


@pytest.mark.parametrize("dsn", DSNS)
def test_cli_never_prints_the_password(tmp_path, dsn):
    env = environment(tmp_path) | {"AKHBAR_DATABASE_URL": dsn}
    result = subprocess.run([str(AKHBAR), "db", "migrate"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert result.stderr.startswith("akhbar: error: ") and result.stderr.count("\n") == 1
    assert "AKHBAR_DATABASE_URL" in result.stderr


@pytest.mark.parametrize("garbage", ["not a dsn", "postgresql://["])
def test_garbage_database_url_is_refused_in_one_line(tmp_path, garbage):
    env = environment(tmp_path) | {"AKHBAR_DATABASE_URL": garbage}
    result = subprocess.run([str(AKHBAR), "db", "migrate"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("akhbar: error: AKHBAR_DATABASE_URL is not a PostgreSQL")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
