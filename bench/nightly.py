"""Where a demo's wall time goes: `akhbar demo` as a user runs it, and the nightly flow inside.

    python bench/nightly.py [--before REV]

1. `akhbar demo` run twice as a user runs it (a fresh process each time, a fresh data folder
   and Prefect home): the wall time of each run, and the second run (nothing new to fetch)
   split into its steps, timed in a process of its own doing what the command does: imports,
   the embedded PostgreSQL, migrations, the temporary Prefect API, the nightly flow, and
   process exit (the servers stopped, Prefect's last logs sent). With `--before REV`, the
   same two runs of the code at git revision REV (a `git archive` of it on PYTHONPATH), for a
   before/after comparison in one run.
2. The nightly flow alone under Prefect's test harness, split from its task runs into crawling
   (the Scrapy process), extraction, loading, database bookkeeping tasks, and the rest: Prefect's
   own orchestration (flow/task state changes, logging, subflows).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
GROUPS = {"crawl_site": "crawl (Scrapy process)", "extract_pages": "extract",
          "load_extracted": "load"}
DEMO = "from akhbar.flows.cli import main; raise SystemExit(main(['demo']))"
# What `akhbar demo` does, step by step, each step timed (printed on stderr as "step: s").
STEPS = """
import sys, time
started = time.perf_counter()
def step(name):
    global started
    now = time.perf_counter()
    print(f"step {name}: {now - started:.3f}", file=sys.stderr, flush=True)
    started = now
from akhbar.flows import cli
step("imports")
from akhbar import sql
sql.connect().close()
step("embedded PostgreSQL")
sql.migrate()
step("migrations")
from akhbar.flows.serve import prefect_api
api = prefect_api()
api.__enter__()
step("temporary Prefect API")
from akhbar.flows.demo.run import run_demo
state = run_demo()
step("nightly flow")
"""


def run_demo(env: dict, code: list[str]) -> tuple[float, dict[str, float], int]:
    """Wall seconds of one run, its steps (when timed) and its exit code."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", *code], env=env, capture_output=True,
                          text=True, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - started
    steps = {}
    for line in done.stderr.splitlines():
        if line.startswith("step ") and ": " in line:
            name, seconds = line[5:].rsplit(": ", 1)
            steps[name] = float(seconds)
    if steps:
        steps["process start and exit"] = wall - sum(steps.values())
    return wall, steps, done.returncode


def user_demo(label: str, pythonpath: str | None) -> None:
    """Two `akhbar demo` runs and a timed one, as a user on a fresh machine would."""
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-demo-") as home:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AKHBAR_", "PREFECT_"))}
        env.update(AKHBAR_DATA_DIR=f"{home}/data", PREFECT_HOME=f"{home}/prefect",
                   PREFECT_SERVER_ANALYTICS_ENABLED="false")
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        first, _, code1 = run_demo(env, [DEMO])
        second, _, code2 = run_demo(env, [DEMO])
        timed, steps, code3 = run_demo(env, [STEPS]) if not pythonpath else (0.0, {}, 0)
    print(f"{label}: `akhbar demo` first run {first:.1f} s (exit {code1}), second run "
          f"{second:.1f} s (exit {code2}; goal <= 15 s)", flush=True)
    if steps:
        print(f"  a third run, step by step ({timed:.1f} s, exit {code3}):")
        for name, seconds in steps.items():
            print(f"    {name:26} {seconds:6.2f} s  {seconds / timed:6.1%}")


def before(rev: str) -> tuple[str, tempfile.TemporaryDirectory]:
    """A copy of the package at git revision `rev`, for PYTHONPATH."""
    folder = tempfile.TemporaryDirectory(prefix="akhbar-bench-before-")
    package = Path(folder.name) / "akhbar"
    package.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(package)], input=archive, check=True)
    return folder.name, folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", metavar="REV",
                        help="also time the demo of the code at this git revision")
    args = parser.parse_args()
    if args.before:
        path, keep = before(args.before)
        with keep:
            user_demo(f"before ({args.before})", path)
    user_demo("now", None)
    flow_split()


def flow_split() -> None:
    from akhbar import sql
    from akhbar.flows.demo.run import DEMO_SEEDS_DIR, demo_network
    from akhbar.flows.nightly import nightly
    from akhbar.flows.serve import without_heartbeats
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
    )
    from prefect.testing.utilities import prefect_test_harness
    from throwaway import throwaway_database  # bench/throwaway.py

    throwaway_database()
    with prefect_test_harness(), without_heartbeats():  # as the CLI runs flows
        sql.migrate()
        with demo_network() as network:
            started = time.perf_counter()
            state = nightly(sites=["demo"], seeds_dir=str(DEMO_SEEDS_DIR),
                            proxy=network.proxy_url, return_state=True)
            wall = time.perf_counter() - started
        run_id = state.state_details.flow_run_id
        with get_client(sync_client=True) as client:
            children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id])))
            ids = [run_id, *(c.id for c in children)]
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=ids)))
    # A subflow shows up as a task run of its parent: count only real tasks.
    tasks = [t for t in runs if t.state and not t.state.state_details.child_flow_run_id]
    spent: dict[str, float] = defaultdict(float)
    for task_run in tasks:
        group = GROUPS.get(task_run.task_key.rsplit("-", 1)[0], "database bookkeeping tasks")
        spent[group] += task_run.total_run_time.total_seconds()
    print("slowest task runs:")
    for task_run in sorted(tasks, key=lambda t: -t.total_run_time.total_seconds())[:5]:
        print(f"    {task_run.name:40} {task_run.total_run_time.total_seconds():6.2f} s")
    work = sum(spent.values())
    print(f"\nthe nightly flow alone (test harness): {wall:.2f} s wall time, "
          f"{len(tasks)} task runs, {len(children)} site subflow(s)")
    for group in ("crawl (Scrapy process)", "extract", "load", "database bookkeeping tasks"):
        print(f"  {group:28} {spent[group]:6.2f} s  {spent[group] / wall:6.1%}")
    print(f"  {'Prefect orchestration':28} {wall - work:6.2f} s  {(wall - work) / wall:6.1%}"
          "  (wall time not inside any task)")


if __name__ == "__main__":
    main()
