"""The Prefect UI, in a real headless Chromium: a demo nightly run, its subflow, its artifacts.

Needs Debian's chromium (/usr/bin/chromium; `.ci/run` installs it) and the playwright package
(test extras). Set AKHBAR_SCREENSHOT_DIR=docs to refresh the screenshots in docs/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package to run the UI test")


@contextmanager
def run_page(server: str, run: dict, state: str, height: int = 900) -> Iterator:
    """A headless Chromium page on a flow run, once the UI shows its name and state."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": height})
        page.goto(f"{server}/runs/flow-run/{run['id']}")
        page.get_by_text(run["name"]).first.wait_for(timeout=60_000)
        page.get_by_text(state).first.wait_for(timeout=60_000)
        yield page
        browser.close()


def api(url: str, path: str, body: dict) -> object:
    request = urllib.request.Request(f"{url}/api{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_nightly_run_in_the_prefect_ui(prefect_server, database_url, tmp_path):
    env = dict(os.environ, PREFECT_API_URL=f"{prefect_server}/api")
    demo = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", "demo"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-3000:]
    [run] = api(prefect_server, "/flow_runs/filter",
                {"flow_runs": {"name": {"like_": "nightly"}}, "limit": 1})
    shots = Path(os.environ.get("AKHBAR_SCREENSHOT_DIR") or tmp_path)
    with run_page(prefect_server, run, "Completed") as page:
        page.screenshot(path=str(shots / "prefect-ui-nightly-run.png"))
        page.get_by_text("Subflow Runs", exact=True).click()
        page.get_by_text("site demo").first.wait_for(timeout=60_000)
        page.get_by_text("Artifacts", exact=True).click()
        page.get_by_text("nightly-summary").first.wait_for(timeout=60_000)
        page.get_by_text("site-health").first.wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "prefect-ui-nightly-artifacts.png"))
    assert (shots / "prefect-ui-nightly-artifacts.png").stat().st_size > 10_000


def test_an_outage_night_shows_failed_in_the_prefect_ui(prefect_server, database_url, tmp_path):
    """Every site unreachable: the command fails, the run is Failed, the artifacts say why."""
    from conftest import free_port
    from network import FAILING_SEEDS_DIR

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(FAILING_SEEDS_DIR / "nowhere.toml", seeds)
    port = free_port()
    (seeds / "refused.toml").write_text(
        (FAILING_SEEDS_DIR / "down.toml").read_text().replace('"down"', '"refused"')
        .replace("down.akhbar.test", f"127.0.0.1:{port}")
        .replace("down\\.akhbar\\.test", f"127\\.0\\.0\\.1:{port}"))
    env = dict(os.environ, PREFECT_API_URL=f"{prefect_server}/api")
    night = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", "nightly", "--seeds-dir",
                            str(seeds)], env=env, capture_output=True, text=True, timeout=600)
    assert night.returncode == 1, night.stderr[-3000:]
    assert "akhbar: 2 of 2 sites failed: nowhere (3 of 3 discovery URLs failed: DNS lookup " \
           "failed for news.nowhere.invalid)" in night.stderr
    [run] = api(prefect_server, "/flow_runs/filter",
                {"flow_runs": {"name": {"like_": "nightly"}}, "limit": 1})
    assert run["state"]["type"] == "FAILED"
    found = api(prefect_server, "/artifacts/filter",
                {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})
    # On the flow run itself, not under one of its tasks.
    assert {a["key"]: a["task_run_id"] for a in found} == {"nightly-summary": None,
                                                           "site-health": None}
    shots = Path(os.environ.get("AKHBAR_SCREENSHOT_DIR") or tmp_path)
    with run_page(prefect_server, run, "Failed", height=1000) as page:
        page.get_by_text("Subflow Runs", exact=True).first.wait_for(timeout=60_000)
        page.wait_for_timeout(3000)  # let the page finish fading in
        page.screenshot(path=str(shots / "prefect-ui-outage-run.png"))
        # The table shows every figure and the start of each reason; the health report (and
        # the state message) the reasons in full.
        for key, text in (("nightly-summary", "3 of 3 discovery URLs"),
                          ("site-health", "DNS lookup failed for news.nowhere.invalid")):
            page.goto(f"{prefect_server}/runs/flow-run/{run['id']}")
            page.get_by_text("Artifacts", exact=True).click()
            page.get_by_text(key, exact=True).first.click()
            page.get_by_text(text).first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)  # let the page finish fading in
            page.screenshot(path=str(shots / f"prefect-ui-outage-{key}.png"), full_page=True)
    for name in ("run", "nightly-summary", "site-health"):
        assert (shots / f"prefect-ui-outage-{name}.png").stat().st_size > 10_000
