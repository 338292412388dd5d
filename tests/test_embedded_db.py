"""The embedded PostgreSQL as akhbar processes use it: real processes, kills and servers."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import site
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest
from akhbar.sql import redact
from akhbar.sql.cluster import SERVER_USER, postgres_binaries
from psycopg.conninfo import conninfo_to_dict

AKHBAR = Path(sys.executable).with_name("akhbar")
JOIN = "from akhbar.sql import database_url; database_url()"
# Joins the server, prints its URL and keeps it until stdin closes.
HOLD = "import sys; from akhbar.sql import database_url; print(database_url(), flush=True); " \
       "sys.stdin.read()"
SECRET = "s3cr3t-PW"
AS_ROOT = os.geteuid() == 0


def environment(data: Path) -> dict[str, str]:
    """This environment with the embedded database in `data`."""
    env = {k: v for k, v in os.environ.items() if k != "AKHBAR_DATABASE_URL"}
    return env | {"AKHBAR_DATA_DIR": str(data)}


def python(code: str, data: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=environment(data),
                          capture_output=True, text=True, timeout=timeout)


def hold(data: Path) -> tuple[subprocess.Popen, str]:
    """A process that joined the embedded server of `data`, and the URL it got."""
    process = subprocess.Popen([sys.executable, "-c", HOLD], env=environment(data),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    assert url.startswith("postgresql://"), process.communicate(timeout=60)
    return process, url


def servers_in(directory: Path) -> list[psutil.Process]:
    """PostgreSQL processes working in, or started on, a path under `directory`."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] != "postgres":
            continue
        try:
            places = [process.cwd(), *(process.info["cmdline"] or [])]
            if any(place.startswith(str(directory)) for place in places):
                if process.status() != psutil.STATUS_ZOMBIE:
                    found.append(process)
        except psutil.Error:
            pass
    return found


def wait_until_no_server(directory: Path, seconds: float = 10) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    while (left := servers_in(directory)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture(autouse=True)
def no_stray_servers(tmp_path) -> Iterator[None]:
    """Every test leaves no server behind; one that does fails, and its servers are killed."""
    yield
    left = wait_until_no_server(tmp_path, seconds=5)
    for process in left:
        process.kill()
    assert not left, f"servers left running: {left}"


def test_socket_directory_is_private_for_a_long_data_directory(tmp_path):
    data = tmp_path / ("d" * (120 - len(str(tmp_path)) - 1))
    assert len(str(data)) == 120
    holder, url = hold(data)
    try:
        socket_dir = Path(conninfo_to_dict(url)["host"])
        info = socket_dir.stat()
        assert info.st_mode & 0o077 == 0, oct(info.st_mode)
        owner = pwd.getpwnam(SERVER_USER).pw_uid if AS_ROOT else os.geteuid()
        assert info.st_uid == owner
        hba = (data / "pgdata" / "pg_hba.conf").read_text().splitlines()
        rules = [line.split() for line in hba if line.strip() and not line.startswith("#")]
        assert {rule[-1] for rule in rules if rule[0] != "local"} == {"reject"}
        psql = [str(postgres_binaries() / "psql"), url, "-Atc", "SELECT 1"]
        assert subprocess.run(psql, capture_output=True, text=True).stdout == "1\n"
        if AS_ROOT:  # another local user may not connect, though authentication is trust
            other = subprocess.run(["runuser", "-u", "nobody", "--", *psql],
                                   capture_output=True, text=True)
            assert other.returncode != 0 and "Permission denied" in other.stderr, other
    finally:
        holder.communicate(timeout=60)
    assert holder.returncode == 0
    assert not socket_dir.exists()


def python_for_nobody() -> str | None:
    """An interpreter of this Python version that user nobody may run (ours may be in /root)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/python{version}"):
        check = subprocess.run(["runuser", "-u", "nobody", "--", candidate, "-c", ""],
                               capture_output=True)
        if check.returncode == 0:
            return candidate
    return None


@pytest.mark.skipif(not AS_ROOT, reason="switching to user nobody needs root")
def test_a_normal_user_gets_a_private_server_too():
    interpreter = python_for_nobody()
    if interpreter is None:
        pytest.skip("no Python interpreter that user nobody may run")
    nobody = pwd.getpwnam("nobody")
    home = Path(tempfile.mkdtemp(prefix="akhbar-nobody-"))
    try:
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        code = (f"import site, os; site.addsitedir({site.getsitepackages()[0]!r}); "
                "from akhbar.sql import database_url; "
                "from psycopg.conninfo import conninfo_to_dict; "
                "info = os.stat(conninfo_to_dict(database_url())['host']); "
                "print(info.st_uid, oct(info.st_mode & 0o777))")
        env = environment(home / "data") | {"HOME": str(home)}
        result = subprocess.run(["runuser", "-u", "nobody", "--", interpreter, "-c", code],
                                env=env, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [str(nobody.pw_uid), "0o700"]
        assert not wait_until_no_server(home)
    finally:
        shutil.rmtree(home)


def test_parent_directories_keep_their_modes(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    modes = {p: p.stat().st_mode for p in (tmp_path, home)}
    holder, url = hold(home / "akhbar")
    try:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("akhbar",)
        assert {p: p.stat().st_mode for p in modes} == modes
        assert stat.S_IMODE(home.stat().st_mode) == 0o700
    finally:
        holder.communicate(timeout=60)
    assert holder.returncode == 0


def test_a_killed_process_does_not_keep_the_server_running(tmp_path):
    data = tmp_path / "data"
    holder, _url = hold(data)
    holder.kill()
    holder.wait()
    assert servers_in(data), "the server should outlive the killed process"
    result = python(JOIN, data)
    assert result.returncode == 0, result.stderr
    assert not wait_until_no_server(data, seconds=5), "the last live command did not stop it"


def stage_is(phase: str, data: Path) -> bool:
    """Whether first set-up in `data` has reached `phase`."""
    initdb_places = [*data.glob(".pgdata.init-*"), data / "pgdata"]
    return {
        "initdb writing": lambda: any((s / "PG_VERSION").exists() for s in initdb_places),
        "initdb bootstrapping": lambda: any((s / "global/pg_control").exists()
                                            for s in initdb_places),
        "server starting": lambda: (data / "pgdata/postmaster.pid").exists(),
    }[phase]()


@pytest.mark.parametrize("phase", ["initdb writing", "initdb bootstrapping", "server starting"])
def test_a_kill_during_first_set_up_is_recovered(tmp_path, phase):
    for attempt in range(5):
        data = tmp_path / f"attempt{attempt}"
        first = subprocess.Popen([sys.executable, "-c", JOIN], env=environment(data),
                                 start_new_session=True, stderr=subprocess.DEVNULL)
        while first.poll() is None and not stage_is(phase, data):
            time.sleep(0.005)
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)  # the command and its initdb or pg_ctl
            first.wait()
            break
    else:
        pytest.fail(f"set-up finished five times before reaching {phase!r}")
    rerun = subprocess.run([str(AKHBAR), "db", "migrate"], env=environment(data),
                           capture_output=True, text=True, timeout=180)
    assert rerun.returncode == 0, rerun.stderr
    assert not list(data.glob(".pgdata.init-*"))
    assert not wait_until_no_server(data)


def initdb_killed_early(pgdata: Path) -> None:
    """Leave `pgdata` as an initdb killed before bootstrap leaves it (older akhbar did that)."""
    pgdata.mkdir(mode=0o700, parents=True)
    owner = {}
    if AS_ROOT:
        account = pwd.getpwnam(SERVER_USER)
        os.chown(pgdata, account.pw_uid, account.pw_gid)
        owner = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    initdb = subprocess.Popen([str(postgres_binaries() / "initdb"), "-U", "postgres", "-D",
                               "/proc/self/cwd"], cwd=pgdata, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True, **owner)
    while initdb.poll() is None and not (pgdata / "PG_VERSION").exists():
        time.sleep(0.001)
    os.killpg(initdb.pid, signal.SIGKILL)
    initdb.wait()


def test_a_data_directory_from_a_killed_initdb_is_rebuilt(tmp_path):
    for attempt in range(5):
        pgdata = tmp_path / f"attempt{attempt}" / "pgdata"
        initdb_killed_early(pgdata)
        if (pgdata / "PG_VERSION").exists() and not (pgdata / "global" / "pg_control").exists():
            break
    else:
        pytest.fail("could not kill initdb before its bootstrap")
    result = subprocess.run([str(AKHBAR), "db", "migrate"], env=environment(pgdata.parent),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "applied:" in result.stdout


@pytest.mark.parametrize("contents", ["", "12345\n/proc/self/cwd\n"])
def test_a_half_written_postmaster_pid_is_recovered(tmp_path, contents):
    data = tmp_path / "data"
    assert python(JOIN, data).returncode == 0
    dead = subprocess.Popen(["true"])
    dead.wait()
    (data / "pgdata" / "postmaster.pid").write_text(contents.replace("12345", str(dead.pid)))
    result = python(JOIN, data)
    assert result.returncode == 0, result.stderr


def test_a_cluster_that_will_not_start_is_named_with_what_to_delete(tmp_path):
    data = tmp_path / "data"
    assert python(JOIN, data).returncode == 0
    config = data / "pgdata" / "postgresql.conf"
    config.write_text(config.read_text() + "\nshared_buffers = 'lots'\n")
    result = subprocess.run([str(AKHBAR), "db", "migrate"], env=environment(data),
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"rm -rf {data / 'pgdata'}" in result.stderr
    assert (data / "pgdata" / "PG_VERSION").exists(), "data must never be deleted on a guess"


def test_two_first_runs_at_once_both_succeed(tmp_path):
    data = tmp_path / "data"
    code = JOIN + "; from akhbar.sql import connect; connect().execute('SELECT 1')"
    runs = [subprocess.Popen([sys.executable, "-c", code], env=environment(data),
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [run.communicate(timeout=180)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert not any(errors), errors


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


@pytest.mark.skipif(not AS_ROOT, reason="the server's own user exists only when run as root")
def test_programs_out_of_the_server_users_reach_are_copied_not_opened_up(tmp_path, monkeypatch):
    from akhbar.sql import cluster

    home = tmp_path / "root-home"
    home.mkdir(mode=0o700)
    install = home / "venv" / "pginstall18"
    shutil.copytree(postgres_binaries().parent, install, symlinks=True)
    shared = Path(tempfile.mkdtemp(prefix="akhbar-shared-"))  # tmp_path itself is 0700
    shared.chmod(0o755)
    monkeypatch.setattr(cluster, "SHARED_BINARIES", shared)
    account = cluster.server_account()
    assert cluster.first_closed(install / "bin", account) is not None
    binaries = cluster.shared_binaries(install / "bin", account)
    assert binaries.parent.parent == shared and cluster.first_closed(binaries, account) is None
    version = subprocess.run(["runuser", "-u", SERVER_USER, "--", str(binaries / "postgres"),
                              "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "PostgreSQL" in version.stdout, version.stderr
    assert stat.S_IMODE(home.stat().st_mode) == 0o700  # the home stays closed
    assert cluster.shared_binaries(install / "bin", account) == binaries  # copied once
    shutil.rmtree(shared)


def test_db_serve_holds_the_server_for_db_url_and_stops_it_on_ctrl_c(tmp_path):
    data = tmp_path / "data"
    serve = subprocess.Popen([str(AKHBAR), "db", "serve"], env=environment(data),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = serve.stdout.readline()
    assert first.startswith("PostgreSQL is up: postgresql://"), serve.communicate(timeout=60)
    url = subprocess.run([str(AKHBAR), "db", "url"], env=environment(data), capture_output=True,
                         text=True, timeout=120).stdout.strip()
    with psycopg.connect(url) as conn:  # works while `db serve` holds the server
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    serve.send_signal(signal.SIGINT)
    assert serve.wait(timeout=60) == 0
    assert not wait_until_no_server(data, seconds=10), "db serve left the server running"
