"""Where a demo nightly's wall time goes: Prefect orchestration against crawl, extraction, load.

    python bench/nightly.py

Runs the real `nightly` flow over the bundled demo site (fresh throwaway database, Prefect's
temporary local API), then reads the run's task runs back from Prefect and splits the flow's
wall time into crawling (the Scrapy process), extraction and loading, database bookkeeping
tasks, and the rest: Prefect's own orchestration (flow/task state changes, logging, subflows).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

GROUPS = {"crawl_site": "crawl (Scrapy process)", "extract_and_load": "extract + load"}


def main() -> None:
    from akhbar import sql
    from akhbar.flows.demo.run import DEMO_SEEDS_DIR, demo_network
    from akhbar.flows.nightly import nightly
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
    )
    from prefect.testing.utilities import prefect_test_harness

    with tempfile.TemporaryDirectory(prefix="akhbar-bench-") as tmp, prefect_test_harness():
        os.environ.setdefault(sql.DATABASE_URL_ENV,
                              sql.embedded_database_url(Path(tmp) / "pgdata"))
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
    print(f"demo nightly: {wall:.2f} s wall time, {len(tasks)} task runs, "
          f"{len(children)} site subflow(s)")
    for group in ("crawl (Scrapy process)", "extract + load", "database bookkeeping tasks"):
        print(f"  {group:28} {spent[group]:6.2f} s  {spent[group] / wall:6.1%}")
    print(f"  {'Prefect orchestration':28} {wall - work:6.2f} s  {(wall - work) / wall:6.1%}"
          "  (wall time not inside any task)")


if __name__ == "__main__":
    main()
