"""Discovery on the loopback news network: every source, URL variant and politeness rule."""

from __future__ import annotations

from datetime import datetime

import psycopg
import pytest
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.nightly import nightly
from network import GULF, RIYADH, SEEDS_DIR, gulf_site, legacy_site


@pytest.fixture
def news_network():
    gulf_pages, gulf_expected = gulf_site()
    legacy_pages, legacy_expected = legacy_site(datetime.now(RIYADH).date())
    network = LoopbackNetwork({"gulf.akhbar.test": gulf_pages,
                               "legacy.akhbar.test": legacy_pages})
    with network:
        yield network, gulf_expected, legacy_expected


def run(network):
    return nightly(sites=["gulf", "legacy"], seeds_dir=str(SEEDS_DIR), proxy=network.proxy_url)


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_nightly_stores_exactly_the_articles(prefect_api, database_url, news_network):
    network, gulf, legacy = news_network
    summaries = run(network)
    assert [s["status"] for s in summaries] == ["completed", "completed"]

    articles = {url for (url,) in rows(database_url, "SELECT url FROM articles")}
    expected = {gulf[n] for n in (101, 102, 103, 104, 105, 106, 108, 111)} | set(legacy.values())
    assert articles == expected

    rejects = rows(database_url, "SELECT p.url, r.reason FROM rejects r "
                                 "JOIN pages p ON p.id = r.page_id ORDER BY reason")
    # 111 was reached as an AMP page and as itself: two pages, one article, one duplicate.
    amp_111 = gulf[111].replace("/article/", "/amp/article/").rstrip("/")
    assert len(rejects) == 2
    assert rejects[0][1] == "duplicate" and rejects[0][0] in (gulf[111], amp_111)
    assert rejects[1] == (gulf["persian"], "language")


def test_politeness_and_url_variants(prefect_api, database_url, news_network):
    network, gulf, _ = news_network
    run(network)
    requests = network.requests
    # Tracking parameters, the mobile host and the AMP suffix never cost a second fetch.
    for n in (101, 102, 103):
        assert requests[gulf[n]] == 1
    assert network.fetched("http://m.gulf.akhbar.test") == 0
    assert requests[gulf[102] + "amp/"] == 0
    # 429 with Retry-After, then 200.
    assert requests[gulf[106]] == 2
    # robots.txt disallows /private/.
    assert network.fetched(GULF + "/private/") == 0
    # The redirect chain is followed; the off-site redirect is not.
    assert requests[GULF + "/article/108/old/"] == 1 and requests[GULF + "/go/108"] == 1
    assert network.fetched("http://elsewhere.akhbar.test") == 0
    # Non-article URLs in the sitemap are not fetched.
    assert requests[GULF + "/category/local/"] == 0
    page = rows(database_url, "SELECT url, final_url FROM pages WHERE url LIKE '%/108/old/'")
    assert page == [(GULF + "/article/108/old/", gulf[108])]
    runs = rows(database_url, "SELECT source_id, errors, robots_disallowed FROM crawl_runs "
                              "ORDER BY source_id")
    # The off-site redirect is the one failure, recorded with its reason.
    assert runs == [("gulf", 1, 1), ("legacy", 0, 0)]
    assert rows(database_url, "SELECT outcome, reason FROM failed_urls") == [
        ("offsite_redirect", "redirected off the site to elsewhere.akhbar.test")]


def test_legacy_encodings_are_decoded(prefect_api, database_url, news_network):
    network, _, legacy = news_network
    run(network)
    stored = dict(rows(database_url, "SELECT url, encoding FROM pages WHERE source_id = 'legacy'"))
    assert stored == {
        legacy["cp1256-undeclared"]: "windows-1256",
        legacy["iso-8859-6-header"]: "iso-8859-6",
        legacy["cp1256-meta-only"]: "windows-1256",
        legacy["cp1256-wrong-header"]: "windows-1256",
        legacy["utf8-wrong-header"]: "utf-8",
        legacy["cp1256-page-3"]: "windows-1256",
    }
    for title, text in rows(database_url,
                            "SELECT title, text FROM articles WHERE source_id = 'legacy'"):
        assert title.startswith("خطة جديدة لتطوير الخدمات في الحي رقم")
        assert "وذلك ضمن المرحلة رقم" in text
        assert "جميع الحقوق" not in text and "أضف تعليق" not in text


def test_second_nightly_fetches_no_article_and_uses_validators(prefect_api, database_url,
                                                               news_network):
    network, _, _ = news_network
    run(network)
    articles_before = sum(n for url, n in network.requests.items() if "/article/" in url
                          or "/news/" in url)
    summaries = run(network)
    articles_after = sum(n for url, n in network.requests.items() if "/article/" in url
                         or "/news/" in url)
    assert articles_after == articles_before
    assert [s["fetched"] for s in summaries] == [0, 0]
    validators = rows(database_url, "SELECT url FROM discovery_validators ORDER BY url")
    assert (GULF + "/feed/",) in validators and (GULF + "/sitemap_index.xml",) in validators
    # The unchanged feed and sitemap index were answered 304 and not parsed again.
    assert network.requests[GULF + "/post-sitemap1.xml.gz"] == 1
