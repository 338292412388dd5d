"""A throwaway embedded PostgreSQL for the bench scripts, unless $AKHBAR_DATABASE_URL is set."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path


def throwaway_database() -> tuple[str, Path]:
    """$AKHBAR_DATABASE_URL, or a new embedded server's URL (also set in the environment for
    the flows and child processes); and a scratch folder. The folder is removed at exit, after
    the embedded server has stopped (atexit runs last in, first out): removed first, it would
    leave the server running."""
    from akhbar import sql

    folder = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    atexit.register(shutil.rmtree, folder, True)
    url = os.environ.get(sql.DATABASE_URL_ENV) or sql.embedded_database_url(folder / "pgdata")
    os.environ[sql.DATABASE_URL_ENV] = url
    return url, folder
