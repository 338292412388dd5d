"""Deployments (declared here, in one place) and the local Prefect server for the UI."""

from __future__ import annotations

import atexit
import importlib.util
import os
import signal
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NIGHTLY_DEPLOYMENT = "akhbar-nightly"
REEXTRACT_PARTS = 4  # flow runs a pool's re-extraction is split into, by page id


def local_server_url(host: str = "127.0.0.1", port: int | None = None) -> str:
    from akhbar.seeds.settings import get_settings

    return f"http://{host}:{port or get_settings().prefect_port}"


def is_healthy(api_url: str, timeout: float = 0.5) -> bool:
    """Whether a Prefect API answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def configured_api_url() -> str | None:
    """The Prefect API configured by $PREFECT_API_URL or the active Prefect profile, read
    without importing Prefect (which fixes its settings when first imported)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    if "prefect.settings" in sys.modules:  # already imported (a test harness, say)
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value()
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    try:
        data = tomllib.loads(profiles.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    return data.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")


def use_local_server_if_running() -> str | None:
    """Report runs to the configured API, or to the server `akhbar ui` started."""
    configured = configured_api_url()
    if configured:
        return configured
    api_url = local_server_url() + "/api"
    if is_healthy(api_url, timeout=0.3):
        os.environ["PREFECT_API_URL"] = api_url
        return api_url
    return None


# Servers akhbar starts run in a session of their own (a Ctrl-C to the terminal's process
# group must not kill the API a flow is still reporting to) and are killed by the kernel when
# akhbar dies, even by SIGKILL (PDEATHSIG survives the exec).
DIE_WITH_PARENT = """
import ctypes, os, signal, sys
ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""
TEMPORARY_STARTUP = 120.0  # seconds; a loaded machine is slow to import Prefect's server


def _dying_with_us(arguments: list[str]) -> list[str]:
    """`python ARGUMENTS`, killed when this process dies (on Linux)."""
    if sys.platform != "linux":
        return [sys.executable, *arguments]
    return [sys.executable, "-c", DIE_WITH_PARENT, str(os.getpid()), *arguments]


@contextmanager
def prefect_api() -> Iterator[str]:
    """The Prefect API to report to: the configured one, the server `akhbar ui` started, or
    a temporary one of akhbar's own (Prefect's API app under uvicorn, as Prefect's ephemeral
    mode runs it), stopped when this process exits."""
    found = use_local_server_if_running()
    if found:
        yield found
        return
    port = _free_port()
    env = dict(os.environ, PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1",
               PREFECT__SERVER_FINAL="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    package = Path(importlib.util.find_spec("prefect").origin).parent
    server = subprocess.Popen(_dying_with_us([
        "-m", "uvicorn", "--app-dir", str(package.parent), "--factory",
        "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "error", "--lifespan", "on"]),
        env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    # Stopped at exit, after Prefect's own exit handlers (registered later, run earlier)
    # have sent their last logs and events to it.
    atexit.register(_stop, server)
    api_url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + TEMPORARY_STARTUP
    while not is_healthy(api_url):
        if server.poll() is not None:
            raise RuntimeError(f"the temporary Prefect server exited with code "
                               f"{server.returncode}; start one with `akhbar ui`")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the temporary Prefect server did not answer within "
                               f"{TEMPORARY_STARTUP:.0f} s; start one with `akhbar ui`")
        time.sleep(0.2)
    os.environ["PREFECT_API_URL"] = api_url
    with without_heartbeats():
        yield api_url


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs that send no heartbeats: they serve a long-lived server's crash detection,
    which a temporary server dying with the command has none of, and each flow run's end
    waits for its heartbeat thread's one-second sleep (half a second a run, subflows too)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a server we started, and every process of its session."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def deployments(cron: str, timezone: str) -> list:
    """Every deployment of akhbar: nightly on its cron schedule, the others on demand."""
    from akhbar.flows.backfill import backfill
    from akhbar.flows.import_warc import import_warc
    from akhbar.flows.nightly import nightly
    from akhbar.flows.reextract import reextract
    from prefect.schedules import Cron

    return [
        nightly.to_deployment(name=NIGHTLY_DEPLOYMENT, schedules=[Cron(cron, timezone=timezone)],
                              description="Crawl, extract and load every enabled site.",
                              tags=["akhbar"]),
        backfill.to_deployment(name="akhbar-backfill", tags=["akhbar"],
                               description="Backfill a site's archive over a date window."),
        reextract.to_deployment(name="akhbar-reextract", tags=["akhbar"],
                                description="Re-extract stored pages with the current "
                                            "extractor."),
        import_warc.to_deployment(name="akhbar-import-warc", tags=["akhbar"],
                                  description="Load article pages from WARC files."),
    ]


def serve_deployments(cron: str, timezone: str) -> None:
    """Register the deployments and run their scheduled flow runs until interrupted."""
    from prefect import serve

    api_url = use_local_server_if_running()
    if not api_url:
        print("akhbar: no Prefect server found; runs go to a temporary local API and will not "
              "show in a UI. Start one with `akhbar ui` (or set PREFECT_API_URL) first.",
              file=sys.stderr)
    serve(*deployments(cron, timezone))


def run_prefect_server(host: str, port: int) -> int:
    """Start `prefect server start`, print the UI address once it answers, wait for it."""
    url = local_server_url(host, port)
    if is_healthy(url + "/api"):
        print(f"A Prefect server is already running. UI: {url}")
        return 0
    command = _dying_with_us(["-m", "prefect", "server", "start", "--host", host,
                              "--port", str(port)])
    # The UI calls the API at the address these settings give, not at --host/--port.
    env = dict(os.environ, PREFECT_SERVER_API_HOST=host, PREFECT_SERVER_API_PORT=str(port),
               PREFECT_UI_API_URL=f"{url}/api")
    # In a session of its own, stopped with all its processes when `akhbar ui` ends.
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not is_healthy(url + "/api"):
            if process.poll() is not None:
                print(f"akhbar: error: the Prefect server exited with code {process.returncode};"
                      f" is port {port} free? Try `akhbar ui --port {port + 1}`.", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                _stop(process)
                print("akhbar: error: the Prefect server did not start within 120 s",
                      file=sys.stderr)
                return 1
            time.sleep(0.5)
        print(f"Prefect UI: {url}\nakhbar commands run while this server is up report to it "
              f"(or set PREFECT_API_URL={url}/api). Press Ctrl-C to stop.", flush=True)
        return process.wait()
    finally:
        _stop(process, grace=30)


def deploy_to_pool(pool: str, cron: str | None = None, timezone: str = "UTC") -> list:
    """Register the per-site and nightly deployments on a process work pool, for workers on
    one or several machines (`prefect worker start --pool POOL`). Returns their ids."""
    from pathlib import Path

    from akhbar.flows import nightly as nightly_module
    from akhbar.flows import reextract as reextract_module
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.schedules import Cron

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
        except ObjectAlreadyExists:
            pass
    source = str(Path(nightly_module.__file__).parent)
    site = nightly_module.crawl_site_by_id.from_source(source, "nightly.py:crawl_site_by_id")
    nightly = nightly_module.nightly.from_source(source, "nightly.py:nightly")
    reextract = reextract_module.reextract.from_source(source, "reextract.py:reextract")
    reextract_name = f"akhbar-reextract-{pool}"
    return [
        site.deploy(name="akhbar-site", work_pool_name=pool, build=False, push=False,
                    print_next_steps=False, tags=["akhbar"]),
        nightly.deploy(name=f"akhbar-nightly-{pool}", work_pool_name=pool, build=False,
                       push=False, print_next_steps=False, tags=["akhbar"],
                       parameters={"site_deployment": "site-run/akhbar-site"},
                       schedules=[Cron(cron, timezone=timezone)] if cron else None),
        # Run on demand; it splits each site's pages into `parts` runs of itself by page id.
        reextract.deploy(name=reextract_name, work_pool_name=pool, build=False, push=False,
                         print_next_steps=False, tags=["akhbar"], parameters={
                             "parts": REEXTRACT_PARTS,
                             "part_deployment": f"reextract/{reextract_name}"}),
    ]
