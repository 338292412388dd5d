"""The embedded PostgreSQL: one private server per data directory, shared by akhbar processes.

Each process that needs it joins it (starting it, and setting up the cluster, if need be); the
last one to leave or exit stops it. `cluster.py` does the work on the directory.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote

import psycopg
from akhbar.sql.cluster import SUPERUSER, Cluster
from akhbar.sql.dsn import DATABASE_URL_ENV, DatabaseError, first_line
from psycopg import sql as pgsql

EMBEDDED_DATABASE = "akhbar"


@dataclass
class EmbeddedServer:
    """This process's handle on the running embedded server of one cluster directory."""

    pgdata: Path
    socket_dir: Path
    port: int
    joined_by: int = field(default_factory=os.getpid)
    left: bool = False

    def url(self, database: str = SUPERUSER) -> str:
        """The URL of one of the server's databases, through its private socket."""
        return (f"postgresql://{SUPERUSER}@/{quote(database)}"
                f"?host={quote(str(self.socket_dir))}&port={self.port}")

    def leave(self) -> None:
        """Stop using the server; the last akhbar process to leave stops it."""
        # A forked child inherits this handle (and the atexit hook) but never joined.
        if self.left or os.getpid() != self.joined_by:
            return
        self.left = True
        cluster = Cluster(self.pgdata)
        with cluster.locked():
            if not cluster.remove_user():
                cluster.stop()


def join(pgdata: Path, database: str | None = None) -> EmbeddedServer:
    """Start (or join) the embedded server of `pgdata`, creating `database` if missing.

    The server stops when the last process that joined it leaves or exits.
    """
    pgdata = pgdata.expanduser().resolve()
    if os.name != "posix":
        raise DatabaseError(f"the embedded PostgreSQL needs Linux or macOS; set "
                            f"{DATABASE_URL_ENV} to use a PostgreSQL server")
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        cluster = Cluster(pgdata)
        with cluster.locked():
            postmaster = cluster.ready_server()
            server = EmbeddedServer(pgdata, postmaster.socket_dir, postmaster.port)
            try:
                if database:
                    create_database(server.url(), database)
            except DatabaseError as exc:
                if not cluster.users():
                    cluster.stop()  # leave no server behind that nobody uses
                raise DatabaseError(f"{exc}. {cluster.delete_hint()}") from exc
            cluster.add_user()
    except OSError as exc:
        raise DatabaseError(
            f"could not start the embedded PostgreSQL in {pgdata}: {exc}. "
            f"Set {DATABASE_URL_ENV} to use your own server instead."
        ) from exc
    atexit.register(leave_quietly, server)
    return server


@cache
def embedded_database_url(pgdata: Path) -> str:
    """Start (or join) the embedded PostgreSQL in `pgdata` and return the URL of its database.

    The server is shared by every akhbar process using the same directory and stops when the
    last of them exits.
    """
    return join(pgdata, EMBEDDED_DATABASE).url(EMBEDDED_DATABASE)


def leave_quietly(server: EmbeddedServer) -> None:
    """Leave at exit, reporting a failure in one line instead of a traceback."""
    try:
        server.leave()
    except Exception as exc:  # the process is ending; the next command recovers
        print(f"akhbar: warning: could not stop the embedded PostgreSQL in {server.pgdata}: "
              f"{first_line(exc)}", file=sys.stderr)


def create_database(admin_url: str, name: str) -> None:
    """Create a database unless it exists."""
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                return
            # An older akhbar, which does not take our lock, may be creating it too.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase,
                                     psycopg.errors.UniqueViolation):
                conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    except psycopg.Error as exc:
        raise DatabaseError(f"could not create the database {name!r} in the embedded "
                            f"PostgreSQL: {first_line(exc)}") from exc
