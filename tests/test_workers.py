"""Scale-out: two Prefect process workers pull one nightly's sites from one work pool, with one
PostgreSQL; every site is claimed once and every article stored once."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import build_site

SITES = ("demo", "demo2", "demo3", "demo4")


def test_two_workers_store_each_article_once(prefect_server, database_url, demo_seeds_dir,
                                             tmp_path):
    from akhbar.flows.nightly import nightly
    from akhbar.flows.reextract import reextract
    from akhbar.flows.serve import deploy_to_pool
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    template = (demo_seeds_dir / "demo.toml").read_text()
    sites = {}
    for site in SITES:
        (seeds / f"{site}.toml").write_text(template.replace('"demo"', f'"{site}"').replace(
            "demo.akhbar.test", f"{site}.akhbar.test").replace(r"demo\.akhbar", rf"{site}\.akhbar"))
        sites[f"{site}.akhbar.test"] = build_site(f"http://{site}.akhbar.test")
    api = f"{prefect_server}/api"
    env = dict(os.environ, PREFECT_API_URL=api, PREFECT_WORKER_QUERY_SECONDS="1",
               AKHBAR_DATABASE_URL=database_url)
    with temporary_settings(updates={PREFECT_API_URL: api}), LoopbackNetwork(sites) as network:
        deploy_to_pool("akhbar-test")
        workers = [subprocess.Popen(
            [sys.executable, "-m", "prefect", "worker", "start", "--pool", "akhbar-test",
             "--type", "process", "--name", f"worker-{n}", "--limit", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in (1, 2)]
        try:
            state = nightly(sites=list(SITES), seeds_dir=str(seeds), proxy=network.proxy_url,
                            parallel=4, site_deployment="site-run/akhbar-site",
                            return_state=True)
            with psycopg.connect(database_url) as conn:
                conn.execute("UPDATE articles SET text = 'نص قديم' WHERE source_id = 'demo'")
            # Re-extraction split by page id into runs the workers share.
            split = reextract(site="demo", seeds_dir=str(seeds), parts=2,
                              part_deployment="reextract/akhbar-reextract-akhbar-test",
                              return_state=True)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=60)
        assert state.is_completed(), state.message
        with get_client(sync_client=True) as client:
            children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(
                    any_=[state.state_details.flow_run_id])))
            parts = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(
                    any_=[split.state_details.flow_run_id])))
    runs = sorted(c.name for c in children if c.name.startswith("site "))
    assert runs == sorted(f"site {s}" for s in SITES)  # one run per site
    with psycopg.connect(database_url) as conn:
        per_site = dict(conn.execute(
            "SELECT source_id, count(*) FROM articles GROUP BY 1").fetchall())
        urls = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        pages = conn.execute("SELECT count(*), count(DISTINCT url) FROM pages").fetchone()
        crawls = conn.execute("SELECT source_id, count(*) FROM crawl_runs "
                              "WHERE flow_name <> 'reextract' GROUP BY 1").fetchall()
    assert per_site == {site: 5 for site in SITES}
    assert urls == (20, 20) and pages == (20, 20)
    assert sorted(crawls) == [(site, 1) for site in SITES]
    for site in SITES:  # each article page fetched by exactly one worker, once
        assert network.fetched(f"http://{site}.akhbar.test/article/") == 5

    assert split.is_completed(), split.message
    rows = split.result()
    assert [row["flow_name"] for row in rows] == ["reextract", "reextract"]
    assert sum(row["updated_articles"] for row in rows) == 5  # every page once, in one part
    assert all(row["updated_articles"] >= 1 for row in rows)
    assert len(parts) == 2 and all(run.state.is_completed() for run in parts)
    assert {str(run.id) for run in parts} == {row["flow_run_id"] for row in rows}
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE text = 'نص قديم'"
                            ).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 20
