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
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's chromium package to run the UI test")


def api(url: str, path: str, body: dict) -> object:
    request = urllib.request.Request(f"{url}/api{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_nightly_run_in_the_prefect_ui(prefect_server, database_url, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    env = dict(os.environ, PREFECT_API_URL=f"{prefect_server}/api")
    demo = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", "demo"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-3000:]
    [run] = api(prefect_server, "/flow_runs/filter",
                {"flow_runs": {"name": {"like_": "nightly"}}, "limit": 1})
    shots = Path(os.environ.get("AKHBAR_SCREENSHOT_DIR") or tmp_path)
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{prefect_server}/runs/flow-run/{run['id']}")
        page.get_by_text(run["name"]).first.wait_for(timeout=60_000)
        page.get_by_text("Completed").first.wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "prefect-ui-nightly-run.png"))
        page.get_by_text("Subflow Runs", exact=True).click()
        page.get_by_text("site demo").first.wait_for(timeout=60_000)
        page.get_by_text("Artifacts", exact=True).click()
        page.get_by_text("nightly-summary").first.wait_for(timeout=60_000)
        page.get_by_text("site-health").first.wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "prefect-ui-nightly-artifacts.png"))
        browser.close()
    assert (shots / "prefect-ui-nightly-artifacts.png").stat().st_size > 10_000
