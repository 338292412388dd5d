"""Every request has an outcome: failures recorded with reasons, sites judged, runs honest.

Real Scrapy against loopback sites that fail in every way, real PostgreSQL, real Prefect.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import psycopg
import pytest
from akhbar.flows.demo.run import DEMO_HOST
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import (
    Response,
    build_site,
    load_articles,
    render_article,
    render_sitemap,
)
from akhbar.flows.nightly import nightly
from akhbar.spiders.outcomes import Failed, Outcome, Tally, judge
from conftest import free_port
from network import FAILING_SEEDS_DIR, FAULTY, faulty_site, write_seed
from test_monitoring import artifacts

DEMO = f"http://{DEMO_HOST}"


def rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def seeds_of(tmp_path: Path, *names: str, demo_seeds_dir: Path | None = None) -> Path:
    """A seeds folder holding the named failing-site fixtures (and the demo seed)."""
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(FAILING_SEEDS_DIR / f"{name}.toml", folder)
    if demo_seeds_dir:
        shutil.copy(demo_seeds_dir / "demo.toml", folder)
    return folder


@pytest.fixture
def faulty_network():
    pages, urls = faulty_site()
    with LoopbackNetwork({"faulty.akhbar.test": pages,
                          DEMO_HOST: build_site(DEMO)}) as network:
        yield network, urls


def test_every_article_failure_is_classified_recorded_and_retried_as_it_deserves(
        prefect_api, database_url, faulty_network, tmp_path):
    network, url = faulty_network
    seeds = seeds_of(tmp_path, "faulty")
    state = nightly(sites=["faulty"], seeds_dir=str(seeds), proxy=network.proxy_url,
                    return_state=True)
    # 4 of 8 requests failed (the gone article counts): the site is degraded, not ok.
    assert state.is_completed()
    assert state.message.startswith("drift: faulty: degraded: 4 of 8 requests failed")
    [(status, error, outcomes, errors)] = rows(
        database_url, "SELECT status, error, outcomes, errors FROM crawl_runs")
    assert status == "degraded" and errors == 4
    assert outcomes["discovery"] == {"read": 2}
    assert outcomes["article"] == {"stored": 2, "gone": 1, "redirect_loop": 1,
                                   "offsite_redirect": 1, "timeout": 1}
    assert "HTTP 404" in error and "redirect loop" in error
    failed = {u: (kind, outcome, status, permanent) for u, kind, outcome, status, permanent, _
              in rows(database_url, "SELECT url, kind, outcome, http_status, permanent, "
                                    "reason FROM failed_urls")}
    assert failed == {
        url["gone"]: ("article", "gone", 404, True),
        url["loop"]: ("article", "redirect_loop", None, False),
        url["away"]: ("article", "offsite_redirect", None, True),
        url["slow"]: ("article", "timeout", None, False),
    }
    reasons = dict(rows(database_url, "SELECT url, reason FROM failed_urls"))
    assert reasons[url["away"]].startswith("redirected off the site to elsewhere.akhbar.test")
    assert reasons[url["slow"]] == "no complete answer from faulty.akhbar.test within 2 s"
    # A dripping server costs two attempts, not four; the loop is caught on its first turn;
    # the off-site target is never asked.
    assert network.requests[url["slow"]] == 2
    assert network.requests[url["loop"]] == 1 and network.requests[FAULTY + "/go/loop"] == 1
    assert network.fetched("http://elsewhere.akhbar.test") == 0
    # The 429 was retried after the 3 s its Retry-After asked for (the backoff would be 2 s).
    limited = [t for t, u in network.log if u == url["limited"]]
    assert len(limited) == 2 and limited[1] - limited[0] >= 2.9

    before = dict(network.requests)
    second = nightly(sites=["faulty"], seeds_dir=str(seeds), proxy=network.proxy_url,
                     return_state=True)
    asked = {name: network.requests[u] - before.get(u, 0) for name, u in url.items()}
    # Validators were not kept after failures: the feed and sitemap are read again, the
    # transient failures are retried, the gone article is not asked again this week, and
    # what was stored is not fetched again.
    assert network.requests[FAULTY + "/feed/"] - before[FAULTY + "/feed/"] == 1
    assert rows(database_url, "SELECT count(*) FROM discovery_validators")[0][0] == 0
    assert asked == {"ok": 0, "gone": 0, "loop": 1, "away": 0, "slow": 2, "limited": 0}
    [(outcomes,)] = rows(database_url, "SELECT outcomes FROM crawl_runs ORDER BY id DESC "
                                       "LIMIT 1")
    assert outcomes["article"]["gone_skipped"] == 2  # the 404 and the off-site redirect
    assert outcomes["article"]["unchanged_skipped"] == 2
    assert rows(database_url, "SELECT attempts FROM failed_urls WHERE url = %s",
                (url["loop"],))[0][0] == 2
    # Every article it asked for failed this time: that is a failed site, whatever discovery did.
    assert second.is_failed()
    assert second.message.startswith("1 of 1 sites failed: faulty (all 2 article fetches "
                                     "failed: ")


def test_sites_that_fail_whole_are_failed_with_their_reason(
        prefect_api, database_url, faulty_network, tmp_path, demo_seeds_dir, monkeypatch):
    network, _ = faulty_network
    network.fallbacks["down.akhbar.test"] = Response(b"oops", status=500)
    network.sites["moved.akhbar.test"] = {
        "/robots.txt": Response(b"User-agent: *\n", "text/plain")}
    # .invalid never resolves: the crawler must ask DNS itself, not the loopback proxy.
    monkeypatch.setenv("no_proxy", "nowhere.invalid")
    seeds = seeds_of(tmp_path, "down", "moved", "nowhere", demo_seeds_dir=demo_seeds_dir)
    state = nightly(seeds_dir=str(seeds), proxy=network.proxy_url, return_state=True)

    runs = {site: (status, error) for site, status, error in rows(
        database_url, "SELECT source_id, status, error FROM crawl_runs")}
    assert runs == {
        "demo": ("completed", None),
        "down": ("failed", "2 of 2 discovery URLs failed: HTTP 500"),
        "moved": ("failed", "2 of 2 discovery URLs failed: HTTP 404"),
        "nowhere": ("failed", "3 of 3 discovery URLs failed: "
                              "DNS lookup failed for news.nowhere.invalid"),
    }
    assert rows(database_url, "SELECT count(*) FROM articles")[0][0] == 5
    assert state.is_failed()
    assert state.message.startswith(
        "3 of 4 sites failed: down (2 of 2 discovery URLs failed: HTTP 500); moved (2 of 2 "
        "discovery URLs failed: HTTP 404); nowhere (3 of 3 discovery URLs failed: DNS lookup "
        "failed for news.nowhere.invalid)")
    # 500s were retried (3 times) before they counted; each failure is one failed_urls row.
    assert network.requests["http://down.akhbar.test/feed/"] == 4
    kinds = rows(database_url, "SELECT source_id, kind, outcome, http_status FROM failed_urls "
                               "ORDER BY 1, 3, 4")
    assert kinds == [("down", "discovery", "http_5xx", 500)] * 2 + \
        [("moved", "discovery", "http_4xx", 404)] * 2 + [("nowhere", "discovery", "dns", None)] * 3

    # The artifacts sit on the nightly flow run itself, with a status and a reason per site.
    data = artifacts(state.state_details.flow_run_id)
    summary = {row["site"]: row for row in json.loads(data["nightly-summary"])}
    assert summary["down"]["status"] == "failed" and summary["down"]["failed"] == 2
    assert summary["down"]["reason"] == "2 of 2 discovery URLs failed: HTTP 500"
    assert summary["demo"]["status"] == "completed" and summary["demo"]["new"] == 5
    assert summary["demo"]["reason"] == "—"
    health = data["site-health"]
    assert "| nowhere | **FAILED** | 0 | 0 | — |" in health
    assert "- **nowhere**: failed: 3 of 3 discovery URLs failed: DNS lookup failed for " \
           "news.nowhere.invalid" in health
    assert "| demo | ok | 5 | 5 |" in health


def test_a_newer_lastmod_still_earlier_than_our_fetch_is_fetched_once(
        prefect_api, database_url, demo_site, demo_seeds_dir):
    nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url)
    articles = load_articles()
    changed = articles[1]
    # Corrected a day later, in 2024: long before our fetch today.
    articles[1] = changed.__class__(**{**changed.__dict__,
                                       "modified": "2024-03-13T09:00:00+03:00"})
    site = demo_site.sites[DEMO_HOST]
    site["/sitemap.xml"] = Response(render_sitemap(articles, DEMO).encode(), "application/xml")
    page = site[unquote(changed.path)]
    site[unquote(changed.path)] = Response(page.body.replace(
        b"</p>", " وتم تصحيح هذا الخبر.</p>".encode(), 1))
    for _ in range(2):
        nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url)
    assert demo_site.requests[DEMO + changed.path] == 2
    [(text,)] = rows(database_url, "SELECT text FROM articles WHERE url = %s",
                     (DEMO + changed.path,))
    assert "وتم تصحيح هذا الخبر." in text
    for other in articles[:1] + articles[2:]:
        assert demo_site.requests[DEMO + other.path] == 1


def test_max_articles_reaches_every_article_over_several_nights(
        prefect_api, database_url, demo_site, demo_seeds_dir, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "demo.toml").write_text((demo_seeds_dir / "demo.toml").read_text().replace(
        "[politeness]", "[politeness]\nmax_articles = 2"))
    stored = []
    for _ in range(3):
        nightly(sites=["demo"], seeds_dir=str(seeds), proxy=demo_site.proxy_url)
        stored.append(rows(database_url, "SELECT count(*) FROM pages")[0][0])
    assert stored == [2, 4, 5]
    assert all(demo_site.requests[DEMO + a.path] == 1 for a in load_articles())
    # Validators are kept only once nothing is left for the next night.
    assert rows(database_url, "SELECT count(*) FROM discovery_validators")[0][0] == 2


@pytest.mark.parametrize("exception, outcome, reason", [
    ("dns", Outcome.DNS, "DNS lookup failed for a.example"),
    ("timeout", Outcome.TIMEOUT, "no complete answer from a.example within 30 s"),
    ("refused", Outcome.CONNECTION, "connection to a.example failed: "),
    ("robots", Outcome.ROBOTS, "disallowed by robots.txt"),
    ("bomb", Outcome.DECOMPRESSION_BOMB, "over the 10 MB cap once decompressed"),
    ("too_large", Outcome.TOO_LARGE, "page larger than the 10 MB cap"),
    ("redirects", Outcome.REDIRECT_LOOP, "more redirects than allowed"),
    ("http_503", Outcome.HTTP_5XX, "HTTP 503"),
    ("http_410", Outcome.HTTP_4XX, "HTTP 410"),
])
def test_classify(exception, outcome, reason):
    from akhbar.spiders.outcomes import classify
    from scrapy import exceptions as errors
    from scrapy.http import Request, Response
    from scrapy.spidermiddlewares.httperror import HttpError

    url = "http://a.example/x"
    made = {
        "dns": errors.CannotResolveHostError("no such host"),
        "timeout": errors.DownloadTimeoutError("took longer"),
        "refused": errors.DownloadConnectionRefusedError("refused"),
        "robots": errors.IgnoreRequest("Forbidden by robots.txt"),
        "bomb": errors.IgnoreRequest("... exceeded DOWNLOAD_MAXSIZE (1 B) during decompression."),
        "too_large": errors.DownloadCancelledError(
            "Received 11 bytes which is larger than download max size (10) in request x."),
        "redirects": errors.IgnoreRequest("max redirections reached"),
        "http_503": HttpError(Response(url, status=503, request=Request(url))),
        "http_410": HttpError(Response(url, status=410, request=Request(url))),
    }[exception]
    failed = classify(made, url, timeout=30)
    assert failed.outcome is outcome and failed.reason.startswith(reason)
    assert failed.permanent == (exception == "http_410")


def test_judge():
    tally = Tally.empty()
    assert judge(tally, 0.2) == ("completed", None)
    for _ in range(3):
        tally.add("discovery", Outcome.DNS, "DNS lookup failed for x.example")
    assert judge(tally, 0.2) == ("failed", "3 of 3 discovery URLs failed: "
                                           "DNS lookup failed for x.example")
    tally.add("discovery", Outcome.READ)
    tally.add("article", Outcome.TIMEOUT, "no complete answer from x.example within 30 s")
    assert judge(tally, 0.2)[0] == "failed"  # every article fetch failed
    for _ in range(20):
        tally.add("article", Outcome.STORED)
    status, reason = judge(tally, 0.2)
    assert status == "completed" and reason is None  # 4 of 25 failed: 16 %
    assert judge(tally, 0.1)[0] == "degraded"
    assert Tally.from_json(json.loads(json.dumps(tally.to_json()))) == tally
    assert Failed(Outcome.HTTP_4XX, "HTTP 404", 404).permanent


def test_cli_exits_non_zero_when_every_site_is_unreachable(prefect_api, database_url, tmp_path,
                                                           capsys):
    from akhbar.flows.cli import main

    seeds = seeds_of(tmp_path, "nowhere")
    port = free_port()
    (seeds / "refused.toml").write_text(
        (FAILING_SEEDS_DIR / "down.toml").read_text().replace('"down"', '"refused"')
        .replace("down.akhbar.test", f"127.0.0.1:{port}").replace("down\\.akhbar\\.test",
                                                                  f"127\\.0\\.0\\.1:{port}"))
    assert main(["nightly", "--seeds-dir", str(seeds)]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("akhbar: 2 of 2 sites failed: nowhere (3 of 3 discovery URLs failed: "
                          "DNS lookup failed for news.nowhere.invalid); refused (2 of 2 "
                          f"discovery URLs failed: connection to 127.0.0.1:{port} failed: ")
    assert "failed: 2 of 2 discovery URLs failed: connection to" in out
    runs = rows(database_url, "SELECT source_id, status, outcomes->'discovery' FROM crawl_runs "
                              "ORDER BY source_id")
    assert runs == [("nowhere", "failed", {"dns": 3}), ("refused", "failed", {"connection": 2})]


def fresh_site(now: datetime) -> dict[str, Response]:
    """A site crawled for the first time: a years-deep sitemap index, recent and old articles,
    some undated."""
    from network import _index, _rss, _urlset, synthetic_article

    base = "http://fresh.akhbar.test"
    pages: dict[str, Response] = {"/robots.txt": Response(b"User-agent: *\n", "text/plain")}
    articles = {n: synthetic_article(600 + n, now) for n in range(1, 9)}
    for article in articles.values():
        pages[unquote(article.path)] = Response(render_article(article, [], base, "جديد").encode())
    url = {n: base + a.path for n, a in articles.items()}
    day = timedelta(days=1)
    pages["/sitemap_index.xml"] = Response(_index([
        (base + "/recent.xml", now.isoformat()), (base + "/2019.xml", "2019-06-01"),
        (base + "/2020.xml", "2020-01-01")]), "application/xml")
    pages["/recent.xml"] = Response(_urlset([
        (url[1], (now - day).isoformat()), (url[2], (now - 2 * day).isoformat()),
        (url[3], (now - 10 * day).isoformat()), (url[4], None), (url[5], None),
        (url[6], None)]), "application/xml")
    pages["/2019.xml"] = pages["/2020.xml"] = Response(_urlset([(url[8], "2019-06-01")]))
    pages["/feed/"] = Response(_rss([(url[7], now - timedelta(hours=1)),
                                     (url[8], datetime(2019, 6, 1, tzinfo=UTC))], "جديد"),
                               "application/rss+xml")
    return pages, url


def test_first_nightly_of_a_site_is_bounded(prefect_api, database_url, tmp_path):
    now = datetime.now(UTC)
    pages, url = fresh_site(now)
    seeds = write_seed(tmp_path / "seeds", "fresh", feeds=["/feed/"],
                       sitemaps=["/sitemap_index.xml"], extra="nightly_max_undated = 2")
    with LoopbackNetwork({"fresh.akhbar.test": pages}) as network:
        nightly(sites=["fresh"], seeds_dir=str(seeds), proxy=network.proxy_url)
        fetched = {n for n, u in url.items() if network.requests[u]}
        # Dated within the 3 days of nightly_max_age_days, and 2 of the 3 undated ones.
        assert {1, 2, 7} <= fetched and len(fetched & {4, 5, 6}) == 2
        assert not fetched & {3, 8}
        assert network.fetched("http://fresh.akhbar.test/20") == 0  # old sitemaps unread
        [(outcomes,)] = rows(database_url, "SELECT outcomes->'article' FROM crawl_runs")
        assert outcomes == {"stored": 5, "too_old": 2, "undated_deferred": 1}
        assert rows(database_url, "SELECT count(*) FROM discovery_validators")[0][0] == 0
        # The next night takes the undated one left over, and only it.
        nightly(sites=["fresh"], seeds_dir=str(seeds), proxy=network.proxy_url)
        assert all(network.requests[url[n]] == 1 for n in (1, 2, 4, 5, 6, 7))
        assert network.requests[url[3]] == network.requests[url[8]] == 0
        assert rows(database_url, "SELECT count(*) FROM discovery_validators")[0][0] == 3


def test_an_archive_day_is_no_sign_that_an_article_changed(prefect_api, database_url, tmp_path):
    from network import RIYADH, _urlset, synthetic_article

    today = datetime.now(RIYADH).replace(hour=8, minute=0, second=0, microsecond=0)
    base = "http://dated.akhbar.test"
    articles = [synthetic_article(800 + n, today + timedelta(minutes=n)) for n in range(3)]
    pages: dict[str, Response] = {"/robots.txt": Response(b"User-agent: *\n", "text/plain")}
    for article in articles:
        pages[unquote(article.path)] = Response(
            render_article(article, [], base, "مؤرخ").encode())
    pages["/sitemap.xml"] = Response(_urlset([(base + a.path, a.published) for a in articles]),
                                     "application/xml")
    links = "".join(f'<a href="{a.path}">{a.title}</a>' for a in articles)
    pages[f"/archive/{today:%Y/%m/%d}"] = Response(f"<html><body>{links}</body></html>".encode())
    seeds = write_seed(tmp_path / "seeds", "dated", sitemaps=["/sitemap.xml"],
                       extra=f'timezone = "Asia/Riyadh"\n'
                             f'archives = ["{base}/archive/{{yyyy}}/{{mm}}/{{dd}}"]')
    with LoopbackNetwork({"dated.akhbar.test": pages}) as network:
        # The sitemap (08:00) is read before the archive, which dates its links at noon.
        network.delays[f"{base}/archive/"] = 1
        for _ in range(2):
            nightly(sites=["dated"], seeds_dir=str(seeds), proxy=network.proxy_url)
        assert all(network.requests[base + a.path] == 1 for a in articles)
        assert network.requests[f"{base}/archive/{today:%Y/%m/%d}"] == 2
