"""The generic spider, for real, against loopback sites: discovery, politeness, incrementality."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import unquote

import psycopg
import pytest
from akhbar.flows.demo.run import DEMO_HOST
from akhbar.flows.demo.site import Response, load_articles, render_sitemap
from akhbar.seeds import load_seeds
from akhbar.spiders.crawl import SUMMARY_PREFIX
from akhbar.sql import connect, repository

BASE = f"http://{DEMO_HOST}"


def crawl(site_id: str, seeds_dir, proxy: str) -> dict:
    """Run the crawl process as the flow does and return its summary."""
    env = dict(os.environ, http_proxy=proxy)
    result = subprocess.run(
        [sys.executable, "-m", "akhbar.spiders.crawl", site_id, "--seeds-dir", str(seeds_dir)],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(SUMMARY_PREFIX)
    return json.loads(last[len(SUMMARY_PREFIX):]) | {"log": result.stderr}


@pytest.fixture
def registered(database_url, demo_seeds_dir):
    with connect() as conn:
        repository.register_source(conn, load_seeds(demo_seeds_dir, ["demo"])[0])
    return database_url


def stored_urls(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return sorted(row[0] for row in conn.execute("SELECT url FROM pages"))


def test_crawl_stores_each_article_once(registered, demo_site, demo_seeds_dir):
    summary = crawl("demo", demo_seeds_dir, demo_site.proxy_url)
    expected = sorted(BASE + a.path for a in load_articles())
    assert stored_urls(registered) == expected
    assert summary["discovered"] == 5 and summary["fetched"] == 5
    assert summary["pages_stored"] == 5 and summary["errors"] == 0
    # Listed in both the feed and the sitemap, yet fetched once.
    for url in expected:
        assert demo_site.requests[url] == 1
    assert demo_site.requests[BASE + "/robots.txt"] == 1
    with psycopg.connect(registered) as conn:
        row = conn.execute("SELECT http_status, encoding, headers, sha256, final_url, lastmod "
                           "FROM pages ORDER BY id LIMIT 1").fetchone()
    assert row[0] == 200 and row[1] == "utf-8"
    assert row[2]["content-type"].startswith("text/html") and "last-modified" in row[2]
    assert len(row[3]) == 64 and row[4].startswith(BASE) and row[5] is not None


def test_second_crawl_fetches_no_article(registered, demo_site, demo_seeds_dir):
    crawl("demo", demo_seeds_dir, demo_site.proxy_url)
    before = demo_site.fetched(BASE + "/article/")
    summary = crawl("demo", demo_seeds_dir, demo_site.proxy_url)
    assert demo_site.fetched(BASE + "/article/") == before
    # The feed and the sitemap answer 304 to the validators the first crawl kept.
    assert summary["fetched"] == 0 and summary["not_modified"] == 2
    assert len(stored_urls(registered)) == 5


def test_newer_lastmod_refetches_only_that_article(registered, demo_site, demo_seeds_dir):
    crawl("demo", demo_seeds_dir, demo_site.proxy_url)
    articles = load_articles()
    changed = articles[1]
    articles[1] = changed.__class__(**{**changed.__dict__, "modified": "2099-01-01T00:00:00+03:00"})
    site = demo_site.sites[DEMO_HOST]
    site["/sitemap.xml"] = Response(render_sitemap(articles, BASE).encode(), "application/xml")
    page = site[unquote(changed.path)]
    site[unquote(changed.path)] = Response(page.body.replace(b"</p>", " (محدث)</p>".encode(), 1))
    summary = crawl("demo", demo_seeds_dir, demo_site.proxy_url)
    assert summary["fetched"] == 1 and summary["pages_stored"] == 1
    assert demo_site.requests[BASE + changed.path] == 2
    with psycopg.connect(registered) as conn:
        assert conn.execute("SELECT count(*) FROM pages WHERE url = %s",
                            (BASE + changed.path,)).fetchone()[0] == 2


def test_robots_txt_disallow_is_obeyed_and_reported(registered, demo_site, demo_seeds_dir):
    blocked = load_articles()[2]
    site = demo_site.sites[DEMO_HOST]
    site["/robots.txt"] = Response(
        f"User-agent: *\nDisallow: /wp-admin/\nDisallow: /article/{blocked.id}/\n".encode(),
        "text/plain")
    summary = crawl("demo", demo_seeds_dir, demo_site.proxy_url)
    assert demo_site.requests[BASE + blocked.path] == 0
    assert BASE + blocked.path not in stored_urls(registered)
    assert summary["robots_disallowed"] == 1 and summary["errors"] == 0
    assert "not fetched: disallowed by robots.txt" in summary["log"]


def test_only_article_urls_of_the_site_are_followed(registered, demo_site, demo_seeds_dir):
    site = demo_site.sites[DEMO_HOST]
    sitemap = site["/sitemap.xml"].body.decode().replace(
        "</urlset>",
        f"<url><loc>{BASE}/category/sport/</loc></url>"
        "<url><loc>http://elsewhere.akhbar.test/article/1/x/</loc></url>"
        f"<url><loc>{BASE}{load_articles()[0].path}?utm_source=rss#comments</loc></url></urlset>")
    site["/sitemap.xml"] = Response(sitemap.encode(), "application/xml")
    crawl("demo", demo_seeds_dir, demo_site.proxy_url)
    assert len(stored_urls(registered)) == 5
    assert demo_site.fetched("http://elsewhere.akhbar.test") == 0
    assert demo_site.requests[BASE + "/category/sport/"] == 0


def test_broken_feed_is_reported_and_the_sitemap_still_used(registered, demo_site, demo_seeds_dir):
    demo_site.sites[DEMO_HOST]["/feed/"] = Response(b"<html>not a feed</html>")
    summary = crawl("demo", demo_seeds_dir, demo_site.proxy_url)
    assert summary["errors"] == 1
    assert ("failed discovery http://demo.akhbar.test/feed/: not an RSS or Atom feed "
            "(text/html, root element <html>) [not_feed]") in summary["log"]
    assert len(stored_urls(registered)) == 5
