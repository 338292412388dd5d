"""Adding a site: `akhbar sites add` drafts a seed, `akhbar sites check` dry-runs it, a nightly
with it stores exactly the site's articles; scopes under a shared host's path; archives that
follow the site's own index and day lists; per-site title/date/author selectors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
from akhbar.flows.backfill import backfill
from akhbar.flows.cli import main
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.nightly import nightly
from akhbar.seeds import SeedError, load_seed, load_seeds
from new_sites import AMMAN, OLD, old_site, press_site, world_site

TODAY = datetime.now(UTC).date()


@pytest.fixture
def network():
    sites = [press_site(TODAY), world_site(TODAY), old_site()]
    with LoopbackNetwork({s.host: s.pages for s in sites}) as net:
        net.fixture_sites = {s.host.split(".")[0]: s for s in sites}
        yield net


@pytest.fixture
def seeds_folder(tmp_path, monkeypatch, network) -> Path:
    folder = tmp_path / "seeds"
    monkeypatch.setenv("AKHBAR_SEEDS_DIR", str(folder))
    monkeypatch.setenv("AKHBAR_PROXY", network.proxy_url)
    return folder


def without_delays(path: Path) -> None:
    """Our own loopback site: no politeness waits (the draft's defaults are polite)."""
    text = path.read_text(encoding="utf-8").replace(
        "download_delay = 0.5", "download_delay = 0\nautothrottle = false")
    path.write_text(text, encoding="utf-8")


def stored(database_url: str) -> tuple[set[str], set[str]]:
    with psycopg.connect(database_url) as conn:
        pages = {row[0] for row in conn.execute("SELECT url FROM pages")}
        finals = {row[0] for row in conn.execute("SELECT final_url FROM pages")}
    return pages, finals


def check(site: str, capsys) -> dict:
    code = main(["sites", "check", site, "--samples", "3", "--json"])
    report = json.loads(capsys.readouterr().out)
    report["exit"] = code
    return report


def test_wordpress_site_added_checked_and_crawled(prefect_api, database_url, network,
                                                  seeds_folder, capsys):
    press = network.fixture_sites["press"]
    assert main(["sites", "add", "http://press.akhbar.test/"]) == 0
    path = seeds_folder / "press.toml"
    seed = load_seed(path)
    assert seed.feeds == ("http://press.akhbar.test/feed/",)  # not the comments feed
    assert seed.sitemaps == ("http://press.akhbar.test/sitemap_index.xml",)
    assert seed.timezone == "Asia/Riyadh" and seed.language == "ar" and not seed.verified
    assert all(seed.is_article_url(url) for url in press.articles)
    for page in ("/", "/about-us/", "/category/politics/", "/author/nawal/"):
        assert not seed.is_article_url("http://press.akhbar.test" + page)
    capsys.readouterr()

    report = check("press", capsys)
    assert report["exit"] == 0 and report["ok"], report["problems"]
    assert (report["article_urls"], report["new"], report["would_fetch"]) == (8, 8, 8)
    feed = next(s for s in report["sources"] if s["kind"] == "feed")
    assert (feed["articles"], feed["new"]) == (8, 8) and feed["oldest"] and feed["newest"]
    assert len(report["samples"]) == 3
    for sample in report["samples"]:
        facts = press.articles[sample["url"]]
        assert sample["title"] == facts.title and sample["authors"] == facts.authors
        assert sample["first_paragraph"] == facts.first_paragraph
        assert datetime.fromisoformat(sample["published_at"]) == facts.published
    assert stored(database_url) == (set(), set())  # a check writes nothing

    without_delays(path)
    [row] = nightly(sites=["press"], proxy=network.proxy_url)
    assert row["status"] == "completed" and row["new_articles"] == 8
    assert stored(database_url)[0] == set(press.articles)
    assert check("press", capsys)["new"] == 0  # what is stored is no longer new


def test_site_under_a_path_of_a_shared_host(prefect_api, database_url, network, seeds_folder,
                                            capsys):
    world = network.fixture_sites["world"]
    assert main(["sites", "add", "http://world.akhbar.test/arabic/", "--id", "world"]) == 0
    path = seeds_folder / "world.toml"
    seed = load_seed(path)
    assert seed.scope == ("world.akhbar.test/arabic/",)
    # The host's sitemap index lists the Persian service's sitemap too: only ours is kept.
    assert seed.sitemaps == ("http://world.akhbar.test/arabic/sitemap.xml",)
    assert not any(seed.is_article_url(url) for url in world.others if "/persian/" in url)
    capsys.readouterr()
    assert check("world", capsys)["ok"]

    # The sitemap lists one article by a short link: sites add saw it redirect to an article
    # and wrote its shape relative to the scope; the page it leads to is checked too.
    assert "^n/\\d+$" in seed.article_patterns
    without_delays(path)
    [row] = nightly(sites=["world"], proxy=network.proxy_url)
    pages, finals = stored(database_url)
    assert pages == set(world.articles)
    assert finals == {facts.final_url for facts in world.articles.values()}
    assert not any("/persian/" in url for url in pages | finals)
    with psycopg.connect(database_url) as conn:
        [(outcome, reason)] = conn.execute(
            "SELECT outcome, reason FROM failed_urls WHERE url LIKE '%cmoved%'").fetchall()
    assert outcome == "offsite_redirect" and "scope" in reason
    assert row["status"] in ("completed", "degraded")


def test_redirect_to_a_url_the_patterns_refuse_is_not_stored(prefect_api, database_url,
                                                             network, seeds_folder):
    folder = seeds_folder
    folder.mkdir(parents=True)
    # Short links pass, but an article is only stored if the page they lead to is one.
    (folder / "narrow.toml").write_text("""
id = "narrow"
name = "narrow"
base_url = "http://world.akhbar.test/arabic/"
scope = ["world.akhbar.test/arabic/"]
sitemaps = ["http://world.akhbar.test/arabic/sitemap.xml"]
article_patterns = ['^n/\\d+$']
[politeness]
download_delay = 0
autothrottle = false
""", encoding="utf-8")
    state = nightly(sites=["narrow"], proxy=network.proxy_url, return_state=True)
    assert stored(database_url) == (set(), set())
    with psycopg.connect(database_url) as conn:
        [(outcome, reason)] = conn.execute(
            "SELECT outcome, reason FROM failed_urls WHERE url LIKE '%/n/7731'").fetchall()
    assert outcome == "not_article" and "patterns" in reason
    # Not a failed night (asking again would change nothing), but counted and shown.
    [row] = state.result()
    assert row["status"] == "degraded" and "not an article URL" in row["error"]


# What a person adds to the draft of the legacy site after reading `sites check`: its zone
# (a .test domain and undated pages say nothing of it) and where its title, date and author are.
OLD_FIXES = """timezone = "Asia/Amman"

[politeness]
download_delay = 0
autothrottle = false

[extraction]
title_selector = "td.newstitle"
date_selector = "span.newsdate"
date_format = "%d/%m/%Y"
author_selector = "span.writer"
"""


def check_window(site: str, capsys) -> dict:
    capsys.readouterr()
    code = main(["sites", "check", site, "--since", "2019-03-01", "--until", "2019-03-10",
                 "--samples", "2", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == (0 if report["ok"] else 1)
    return report


def test_backfill_follows_the_archive_index_and_dates_only_the_days_own_list(
        prefect_api, database_url, network, seeds_folder, capsys):
    old = network.fixture_sites["old"]
    assert main(["sites", "add", "http://old.akhbar.test/"]) == 0
    path = seeds_folder / "old.toml"
    seed = load_seed(path)
    # No feed, no sitemap: the day archives, the index of the days that exist and the day's
    # own list (the sidebar links other days' articles) were found on the site itself.
    assert seed.archives == ("http://old.akhbar.test/archive/{yyyy}/{mm}/{dd}.html",)
    assert seed.archive_index == "http://old.akhbar.test/archive/index.html"
    assert seed.archive_link_selector == "td.daylist"
    assert all(seed.is_article_url(url) for url in old.articles)
    capsys.readouterr()
    report = check_window("old", capsys)
    titles = {f.title for f in old.articles.values()}
    assert not report["ok"] and all(s["title"] not in titles for s in report["samples"])
    assert any("title_selector" in problem for problem in report["problems"])
    text = path.read_text(encoding="utf-8").replace('timezone = "UTC"\n', "")
    text = text.replace("[politeness]\nconcurrent_requests = 2\ndownload_delay = 0.5\n", "")
    path.write_text(text.replace("verified = false\n", "verified = false\n" + OLD_FIXES.split(
        "\n\n")[0] + "\n") + "\n" + OLD_FIXES.split("\n\n", 1)[1], encoding="utf-8")
    report = check_window("old", capsys)
    assert report["ok"], report["problems"]
    assert {s["title"] for s in report["samples"]} <= titles
    network.requests.clear()
    backfill(site="old", since=date(2019, 3, 1), until=date(2019, 3, 10), chunk="month",
             proxy=network.proxy_url)
    # Only the days the index links were asked for, not every day of the window.
    asked = {url for url in network.requests if "/archive/2019/" in url}
    assert asked == {f"{OLD}/archive/2019/03/05.html", f"{OLD}/archive/2019/03/07.html"}
    in_window = {url for url, day in old.old_days.items()
                 if date(2019, 3, 1) <= day <= date(2019, 3, 10)}
    # The sidebar's "most read" links (other days, 2018) are not taken for the day's articles.
    assert stored(database_url)[0] == in_window
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT url, title, authors, published_at FROM articles").fetchall()
    assert {row[0] for row in rows} == in_window
    for url, title, authors, published in rows:
        facts = old.articles[url]
        assert title == facts.title != "جريدة الأمس"  # the site's title_selector
        assert authors == facts.authors
        assert published == facts.published
        assert published.astimezone(AMMAN).date() == old.old_days[url]


def test_seeds_folder_and_catalogue(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "mine"
    monkeypatch.setenv("AKHBAR_SEEDS_DIR", str(folder))
    with pytest.raises(SeedError, match="sites add"):
        load_seeds()
    assert main(["sites", "add", "--from-catalog", "aljazeera"]) == 0
    assert [s.id for s in load_seeds()] == ["aljazeera"]
    assert main(["sites", "add", "--from-catalog", "aljazeera"]) == 2  # never overwritten
    assert "already exists" in capsys.readouterr().err
    # The demo's stored pages can be re-extracted without knowing where the package is.
    assert load_seeds(None, ["demo"], catalog=True)[0].id == "demo"
    with pytest.raises(SeedError, match="no seed file for demo"):
        load_seeds(None, ["demo"])
    # A seed file is accepted wherever a site is named.
    other = tmp_path / "elsewhere" / "hespress.toml"
    other.parent.mkdir()
    other.write_text((Path(load_seeds(None, ["aljazeera"])[0].file).parent.parent
                      / "mine" / "aljazeera.toml").read_text().replace(
        'id = "aljazeera"', 'id = "hespress"'), encoding="utf-8")
    assert load_seeds(None, [str(other)])[0].id == "hespress"
    assert main(["seeds"]) == 0
    assert str(folder) in capsys.readouterr().out


def test_every_packaged_seed_passes_the_offline_check(capsys):
    assert main(["sites", "check", "--offline", "--catalog"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 15 and all(line.endswith(": ok") for line in lines)


def test_offline_check_names_a_pattern_no_example_matches(tmp_path, capsys):
    path = tmp_path / "x.toml"
    path.write_text("""
id = "x"
name = "x"
base_url = "https://x.example/"
domains = ["x.example"]
sitemaps = ["https://x.example/sitemap.xml"]
article_patterns = ['^news/\\d+$', '^video/\\d+$']
example_articles = ["https://x.example/news/12"]
""", encoding="utf-8")
    assert main(["sites", "check", "--offline", str(path)]) == 1
    assert "'^video/\\\\d+$' matches none of the example articles" in capsys.readouterr().out


def test_record_writes_the_check_into_the_seed(prefect_api, database_url, network,
                                               seeds_folder, capsys):
    assert main(["sites", "add", "http://press.akhbar.test/"]) == 0
    main(["sites", "check", "press", "--samples", "1", "--record"])
    seed = load_seed(seeds_folder / "press.toml")
    assert seed.checked is not None and seed.checked.on == date.today()
    assert "8 article URLs" in seed.checked.found
