"""Monitoring in Prefect: the nightly-summary table, the site-health report, failing sites."""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import unquote

import psycopg
from akhbar.flows.demo.run import DEMO_HOST
from akhbar.flows.demo.site import Response, load_articles, render_sitemap
from akhbar.flows.health import drift
from akhbar.flows.nightly import nightly

BASE = f"http://{DEMO_HOST}"


def artifacts(flow_run_id) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return {a.key: a.data for a in found}


def test_drift_rules():
    history = [{"fetched": 10, "articles": 10, "rejected": 0, "words_total": 4000}] * 7
    healthy = {"source_id": "x", "status": "completed", "fetched": 10, "articles": 9,
               "rejected": 1, "words_total": 3600}
    assert drift(healthy, history) == []
    broken = healthy | {"articles": 0, "rejected": 10, "words_total": 0}
    assert drift(broken, history)[0] == "zero articles from 10 fetched pages"
    assert any("reject rate up" in f for f in drift(broken, history))
    short = healthy | {"words_total": 900}
    assert drift(short, history) == ["mean length 100 words, median 400"]
    fewer = healthy | {"articles": 4, "words_total": 1600}
    assert drift(fewer, history) == ["yield down 60% (0.40 articles per page, median 1.00)"]
    quiet = {"source_id": "x", "status": "completed", "fetched": 0}  # nothing new: not drift
    assert drift(quiet, history) == []


def test_first_runs_are_judged_without_history():
    failed = {"source_id": "x", "status": "failed", "error": "2 of 2 discovery URLs failed: "
                                                             "HTTP 500"}
    assert drift(failed, []) == ["failed: 2 of 2 discovery URLs failed: HTTP 500"]
    blind = {"source_id": "x", "status": "completed", "discovered": 0, "fetched": 0,
             "outcomes": {"discovery": {"read": 3}, "article": {}}}
    assert drift(blind, []) == ["discovery found no article URLs (article_patterns out of "
                                "date?)"]
    empty = {"source_id": "x", "status": "completed", "discovered": 4, "fetched": 4,
             "articles": 0, "outcomes": {"discovery": {"read": 1}, "article": {"stored": 4}}}
    assert drift(empty, []) == ["zero articles from 4 fetched pages"]
    unchanged = blind | {"outcomes": {"discovery": {"not_modified": 3}}}
    assert drift(unchanged, []) == []


def test_layout_change_is_flagged_in_site_health(prefect_api, database_url, demo_site,
                                                 demo_seeds_dir):
    first = nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url,
                    return_state=True)
    assert first.is_completed() and not (first.message or "").startswith("drift")
    # The redesign: article text now arrives in a JavaScript bundle, and the sitemap says
    # every article changed.
    site = demo_site.sites[DEMO_HOST]
    articles = load_articles()
    for article in articles:
        site[unquote(article.path)] = Response(
            b'<html><body><div id="app"></div><script>window.__DATA__={"body":"..."}'
            b"</script></body></html>")
    bumped = [a.__class__(**{**a.__dict__, "modified": "2099-01-01T00:00:00+03:00"})
              for a in articles]
    site["/sitemap.xml"] = Response(render_sitemap(bumped, BASE).encode(), "application/xml")
    second = nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url,
                     return_state=True)
    assert second.is_completed()
    assert second.message.startswith("drift: demo: zero articles from 5 fetched pages")
    data = artifacts(second.state_details.flow_run_id)
    assert "| demo | **drift** | 0 | 5 |" in data["site-health"]
    assert "- **demo**: zero articles from 5 fetched pages" in data["site-health"]
    [row] = json.loads(data["nightly-summary"])
    assert row["site"] == "demo" and row["fetched"] == 5 and row["rej no_text"] == 5


def test_failing_site_leaves_the_others_stored(prefect_api, database_url, demo_site,
                                               demo_seeds_dir, tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(demo_seeds_dir / "demo.toml", seeds / "demo.toml")
    broken = (demo_seeds_dir / "demo.toml").read_text().replace('id = "demo"', 'id = "broken"')
    (seeds / "broken.toml").write_text(re.sub(r"demo\\?\.akhbar\\?\.test", lambda m:
                                              m.group().replace("demo", "broken"), broken))
    # The broken site answers 500 to its feed, and its sitemap never answers in time.
    demo_site.sites["broken.akhbar.test"] = {
        "/robots.txt": Response(b"User-agent: *\n", "text/plain"),
        "/feed/": Response(b"oops", status=500)}
    demo_site.delays["http://broken.akhbar.test/sitemap.xml"] = 30
    monkeypatch.setenv("AKHBAR_CRAWL_TIMEOUT", "6")
    state = nightly(sites=["broken", "demo"], seeds_dir=str(seeds), proxy=demo_site.proxy_url,
                    return_state=True)
    assert state.is_failed()
    assert state.message.startswith("1 of 2 sites failed: broken")
    rows = {r["site"]: r for r in json.loads(
        artifacts(state.state_details.flow_run_id)["nightly-summary"])}
    assert rows["broken"]["status"] == "failed"
    assert rows["broken"]["reason"] == "crawl of broken killed after 6 s (AKHBAR_CRAWL_TIMEOUT)"
    assert rows["demo"]["status"] == "completed" and rows["demo"]["new"] == 5
    assert demo_site.requests["http://broken.akhbar.test/feed/"] >= 3  # retried
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM articles WHERE source_id = 'demo'"
                            ).fetchone()[0] == 5
        assert conn.execute("SELECT status FROM crawl_runs WHERE source_id = 'broken'"
                            ).fetchone()[0] == "failed"


def test_a_site_is_crawled_by_one_run_at_a_time(prefect_api, database_url, demo_site,
                                                 demo_seeds_dir):
    import threading
    import time

    from akhbar.sql import query

    # Another run (a backfill, say) holds the site's lock for two seconds.
    holding, released = threading.Event(), []

    def other_run():
        with psycopg.connect(database_url, autocommit=True) as conn:
            assert conn.execute(query("try_site_lock"), {"source_id": "demo"}).fetchone()[0]
            holding.set()
            time.sleep(2)
            released.append(time.monotonic())

    other = threading.Thread(target=other_run)
    other.start()
    holding.wait(30)
    nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url)
    other.join()
    first_request = min(t for t, _ in demo_site.log)
    assert first_request >= released[0]


def test_a_busy_site_fails_with_the_holder_named(prefect_api, database_url, demo_site,
                                                demo_seeds_dir, monkeypatch):
    from akhbar.sql import query

    monkeypatch.setenv("AKHBAR_SITE_WAIT_SECONDS", "1")
    with psycopg.connect(database_url, autocommit=True,
                         application_name="akhbar crawl demo run 99") as conn:
        assert conn.execute(query("try_site_lock"), {"source_id": "demo"}).fetchone()[0]
        state = nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir),
                        proxy=demo_site.proxy_url, return_state=True)
    assert state.is_failed()
    assert "demo is being crawled by akhbar crawl demo run 99 (since " in state.message
    assert sum(demo_site.requests.values()) == 0
    with psycopg.connect(database_url) as conn:
        status, error = conn.execute("SELECT status, error FROM crawl_runs").fetchone()
    assert status == "failed" and "waited 1 s" in error
