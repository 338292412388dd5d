"""Deployments (declared here, in one place) and the local Prefect server for the UI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

NIGHTLY_DEPLOYMENT = "akhbar-nightly"


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


def use_local_server_if_running() -> str | None:
    """Report runs to the server `akhbar ui` started, when no other API is configured."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    api_url = local_server_url() + "/api"
    if is_healthy(api_url, timeout=0.3):
        os.environ["PREFECT_API_URL"] = api_url
        return api_url
    return None


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
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", host,
               "--port", str(port)]
    # The UI calls the API at the address these settings give, not at --host/--port.
    env = dict(os.environ, PREFECT_SERVER_API_HOST=host, PREFECT_SERVER_API_PORT=str(port),
               PREFECT_UI_API_URL=f"{url}/api")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while not is_healthy(url + "/api"):
            if process.poll() is not None:
                print(f"akhbar: error: the Prefect server exited with code {process.returncode};"
                      f" is port {port} free? Try `akhbar ui --port {port + 1}`.", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                process.terminate()
                print("akhbar: error: the Prefect server did not start within 120 s",
                      file=sys.stderr)
                return 1
            time.sleep(0.5)
        print(f"Prefect UI: {url}\nakhbar commands run while this server is up report to it "
              f"(or set PREFECT_API_URL={url}/api). Press Ctrl-C to stop.", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=30)
        return 0


def deploy_to_pool(pool: str, cron: str | None = None, timezone: str = "UTC") -> list:
    """Register the per-site and nightly deployments on a process work pool, for workers on
    one or several machines (`prefect worker start --pool POOL`). Returns their ids."""
    from pathlib import Path

    from akhbar.flows import nightly as nightly_module
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
    return [
        site.deploy(name="akhbar-site", work_pool_name=pool, build=False, push=False,
                    print_next_steps=False, tags=["akhbar"]),
        nightly.deploy(name=f"akhbar-nightly-{pool}", work_pool_name=pool, build=False,
                       push=False, print_next_steps=False, tags=["akhbar"],
                       parameters={"site_deployment": "site-run/akhbar-site"},
                       schedules=[Cron(cron, timezone=timezone)] if cron else None),
    ]
