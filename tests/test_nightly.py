"""The nightly flow, for real: Prefect's harness, PostgreSQL, Scrapy against a loopback site."""

from __future__ import annotations

import psycopg
import pytest
from akhbar.flows.demo.run import DEMO_HOST
from akhbar.flows.demo.site import Response, load_articles, render_sitemap
from akhbar.flows.nightly import nightly
from akhbar.seeds import SeedError
from conftest import table_snapshot

BASE = f"http://{DEMO_HOST}"
BOILERPLATE = ("You might also like", "Leave A Reply", "Your email address will not be published.",
               "واحد × أربعة =")


def run_nightly(demo_site, demo_seeds_dir, **kwargs):
    return nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url,
                   **kwargs)


def test_nightly_stores_the_demo_articles(prefect_api, database_url, demo_site, demo_seeds_dir):
    [summary] = run_nightly(demo_site, demo_seeds_dir)
    assert summary["status"] == "completed"
    assert (summary["fetched"], summary["pages_stored"], summary["new_articles"]) == (5, 5, 5)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
        title, subtitle, text, words, published, language = conn.execute(
            "SELECT title, subtitle, text, word_count, published_at, language FROM articles "
            "WHERE url LIKE %s", (BASE + "/article/20180610/%",)).fetchone()
        run = conn.execute("SELECT status, discovered, fetched, new_articles, finished_at "
                           "FROM crawl_runs").fetchone()
        hits = conn.execute("SELECT count(*) FROM articles WHERE search @@ "
                            "plainto_tsquery('arabic', 'المرصد السوري')").fetchone()[0]
    seed_article = load_articles()[0]
    assert text.split("\n") == seed_article.paragraphs
    assert title == seed_article.title and subtitle == seed_article.subtitle
    for boilerplate in BOILERPLATE:
        assert boilerplate not in text
    assert "0" not in text.split("\n")
    assert words == 500 and language == "ar"
    assert published.isoformat() == "2018-06-10T06:30:00+00:00"
    assert run[:4] == ("completed", 5, 5, 5) and run[4] is not None
    assert hits == 1


def test_second_run_changes_nothing(prefect_api, database_url, demo_site, demo_seeds_dir):
    run_nightly(demo_site, demo_seeds_dir)
    first = table_snapshot(database_url)
    [summary] = run_nightly(demo_site, demo_seeds_dir)
    assert table_snapshot(database_url) == first
    assert (summary["fetched"], summary["new_articles"], summary["updated_articles"]) == (0, 0, 0)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM crawl_runs WHERE status = 'completed'"
                            ).fetchone()[0] == 2


def test_changed_page_updates_the_article_in_place(prefect_api, database_url, demo_site,
                                                  demo_seeds_dir):
    run_nightly(demo_site, demo_seeds_dir)
    with psycopg.connect(database_url) as conn:
        before = conn.execute("SELECT id, content_hash, page_id FROM articles WHERE url LIKE %s",
                              (BASE + "/article/20240312/%",)).fetchone()
    articles = load_articles()
    edited = articles[1]
    new_paragraph = "وأكد الوزير أن المشروع سيوفر مئتي فرصة عمل للشباب خلال مرحلة التشغيل."
    articles[1] = edited.__class__(**{**edited.__dict__,
                                      "paragraphs": [*edited.paragraphs, new_paragraph],
                                      "modified": "2099-01-01T08:00:00+03:00"})
    from akhbar.flows.demo.site import build_site
    demo_site.sites[DEMO_HOST] = build_site(BASE, articles=articles)
    demo_site.sites[DEMO_HOST]["/sitemap.xml"] = Response(render_sitemap(articles, BASE).encode())
    [summary] = run_nightly(demo_site, demo_seeds_dir)
    assert (summary["fetched"], summary["new_articles"], summary["updated_articles"]) == (1, 0, 1)
    with psycopg.connect(database_url) as conn:
        after = conn.execute("SELECT id, content_hash, page_id, text FROM articles "
                             "WHERE url LIKE %s", (BASE + "/article/20240312/%",)).fetchone()
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    assert after[0] == before[0]
    assert after[1] != before[1] and after[2] != before[2]
    assert after[3].endswith(new_paragraph)


def test_scrapy_log_lines_are_in_the_flow_run_logs(prefect_api, database_url, demo_site,
                                                   demo_seeds_dir):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogHandler

    state = run_nightly(demo_site, demo_seeds_dir, return_state=True)
    assert state.is_completed()
    APILogHandler().flush()
    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        parent = client.read_flow_run(flow_run_id)
        assert parent.name.startswith("nightly ")
        children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id])))
        assert [c.name for c in children] == ["site demo"]
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(
            any_=[flow_run_id, children[0].id])), limit=200)
    messages = [log.message for log in logs]
    assert sum("scrapy.core.engine: Spider closed (finished)" in m for m in messages) == 1
    assert any("sitemap http://demo.akhbar.test/sitemap.xml lists 5 pages" in m for m in messages)


def test_bad_seed_stops_before_any_crawl(prefect_api, database_url, demo_site, tmp_path):
    (tmp_path / "demo.toml").write_text('id = "demo"\nname = "x"\nverified = "no"\n')
    with pytest.raises(SeedError, match=r"demo\.toml: field `base_url`"):
        nightly(sites=["demo"], seeds_dir=str(tmp_path), proxy=demo_site.proxy_url)
    assert sum(demo_site.requests.values()) == 0
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 0


def test_pages_are_extracted_while_the_crawl_is_still_running(
        prefect_api, database_url, demo_site, demo_seeds_dir, monkeypatch):
    from akhbar.flows import tasks

    monkeypatch.setattr(tasks, "EXTRACT_BATCH", 2)
    monkeypatch.setattr(tasks, "CRAWL_POLL_SECONDS", 0.2)
    slow = load_articles()[-1]
    demo_site.delays[BASE + slow.path] = 8  # one page comes 8 s late
    [summary] = run_nightly(demo_site, demo_seeds_dir)
    assert (summary["status"], summary["new_articles"]) == ("completed", 5)
    with psycopg.connect(database_url) as conn:
        slow_stored = conn.execute("SELECT fetched_at FROM pages WHERE url LIKE %s",
                                   (BASE + slow.path + "%",)).fetchone()[0]
        first_extracted = conn.execute("SELECT min(extracted_at) FROM articles").fetchone()[0]
    # Articles were loaded while the slow page was still on its way.
    assert first_extracted < slow_stored
