"""Web archives: WARC import gives what crawling gives; crawls can write WARC."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import Response
from akhbar.flows.import_warc import import_warc
from akhbar.flows.nightly import nightly
from akhbar.spiders.warc import WarcError, open_warc, read_html_responses
from network import GULF, SEEDS_DIR, gulf_site
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ARTICLES_SQL = ("SELECT url, title, subtitle, authors, published_at, section, tags, language, "
                "text, content_hash, word_count FROM articles ORDER BY url")


def query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def write_warc(path: Path, records: list[tuple[str, int, str, bytes]], gzip: bool = True) -> Path:
    """A WARC with one response record per (url, status, content type, body)."""
    with path.open("wb") as file:
        writer = WARCWriter(file, gzip=gzip)
        for url, status, content_type, body in records:
            headers = StatusAndHeaders(f"{status} X", [("Content-Type", content_type),
                                                       ("Content-Length", str(len(body)))],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers))
    return path


def body_of(pages: dict, url: str) -> bytes:
    response = pages[unquote(urlsplit(url).path)]
    return (response.then if hasattr(response, "then") else response).body


CC_NEWS_ARABIC = ("<html lang='ar'><body><article><h1>افتتاح معرض للفنون في عمّان</h1><p>"
                  + "افتتح في العاصمة الأردنية معرض للفنون التشكيلية يضم أعمالاً لفنانين من "
                    "عدة دول عربية، ويستمر حتى نهاية الشهر. " * 3
                  + "</p></article></body></html>").encode()
CC_NEWS_ENGLISH = ("<html lang='en'><body><article><h1>Markets</h1><p>"
                   + "Stocks rose on Monday as investors weighed new data. " * 5
                   + "</p></article></body></html>").encode()


@pytest.fixture
def gulf_warc(tmp_path):
    pages, expected = gulf_site()
    chosen = [expected[n] for n in (101, 102, 103, 104, 105, 108)]
    records = [(url, 200, "text/html; charset=UTF-8", body_of(pages, url)) for url in chosen]
    records += [
        (expected["persian"], 200, "text/html; charset=UTF-8", body_of(pages, expected["persian"])),
        (GULF + "/article/108/old/", 301, "text/html", b""),
        (GULF + "/category/local/", 200, "text/html", b"<html><body>section</body></html>"),
        (GULF + "/feed/", 200, "application/rss+xml", pages["/feed/"].body),
        (GULF + "/robots.txt", 200, "text/plain", b"User-agent: *\n"),
        (GULF + "/article/999/gone/", 404, "text/html", b"<html>not found</html>"),
        ("https://www.jordan-news.example/culture/1", 200, "text/html", CC_NEWS_ARABIC),
        ("https://www.markets.example/story/2", 200, "text/html", CC_NEWS_ENGLISH),
    ]
    return write_warc(tmp_path / "cc-news.warc.gz", records), chosen, expected


def test_import_warc_matches_crawling(prefect_api, database_url, make_database, gulf_warc,
                                      monkeypatch):
    path, chosen, expected = gulf_warc
    summaries = import_warc(paths=[str(path)], seeds_dir=str(SEEDS_DIR))
    assert [(s["source_id"], s["new_articles"], s["rejected"]) for s in summaries] == [
        ("gulf", 6, 1)]
    imported = query(database_url, ARTICLES_SQL)
    assert [row[0] for row in imported] == sorted(chosen)
    assert query(database_url, "SELECT p.url, r.reason FROM rejects r JOIN pages p "
                               "ON p.id = r.page_id") == [(expected["persian"], "language")]

    crawled_url = make_database()
    monkeypatch.setenv("AKHBAR_DATABASE_URL", crawled_url)
    pages, _ = gulf_site()
    with LoopbackNetwork({"gulf.akhbar.test": pages}) as network:
        nightly(sites=["gulf"], seeds_dir=str(SEEDS_DIR), proxy=network.proxy_url)
    crawled = [row for row in query(crawled_url, ARTICLES_SQL) if row[0] in chosen]
    assert imported == crawled

    # Importing the same archive again changes nothing.
    monkeypatch.setenv("AKHBAR_DATABASE_URL", database_url)
    before = query(database_url, "SELECT * FROM pages ORDER BY id")
    import_warc(paths=[str(path)], seeds_dir=str(SEEDS_DIR))
    assert query(database_url, "SELECT * FROM pages ORDER BY id") == before


def test_import_warc_all_arabic_by_url_from_the_command_line(prefect_api, database_url,
                                                            gulf_warc):
    path, chosen, _ = gulf_warc
    plain = write_warc(path.with_name("plain.warc"), [
        ("https://www.jordan-news.example/culture/1", 200, "text/html", CC_NEWS_ARABIC)],
        gzip=False)
    files = {"/cc-news.warc.gz": Response(path.read_bytes(), "application/gzip")}
    with LoopbackNetwork({"files.akhbar.test": files}) as network:
        result = subprocess.run(
            [sys.executable, "-m", "akhbar.flows.cli", "import-warc",
             "http://files.akhbar.test/cc-news.warc.gz", str(plain), "--all-arabic",
             "--seeds-dir", str(SEEDS_DIR), "--proxy", network.proxy_url],
            env=dict(os.environ, PREFECT_API_URL=prefect_api), capture_output=True, text=True,
            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    sources = query(database_url, "SELECT source_id, count(*) FROM articles GROUP BY 1 ORDER BY 1")
    assert sources == [("gulf", 6), ("web-jordan-news-example", 1)]
    assert query(database_url, "SELECT count(*) FROM pages WHERE url LIKE '%markets%'") == [(0,)]


def test_crawl_writes_warc_that_imports_to_the_same_articles(prefect_api, database_url,
                                                            make_database, demo_site,
                                                            demo_seeds_dir, tmp_path,
                                                            monkeypatch):
    nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url,
            warc_out=str(tmp_path / "warc"))
    [archive] = list((tmp_path / "warc").glob("akhbar-news-*.warc.gz"))
    with open_warc(str(archive)) as stream:
        urls = [r.url for r in read_html_responses(stream, str(archive))]
    assert len([u for u in urls if "/article/" in u]) == 5

    imported_url = make_database()
    monkeypatch.setenv("AKHBAR_DATABASE_URL", imported_url)
    import_warc(paths=[str(archive)], seeds_dir=str(demo_seeds_dir))
    assert query(imported_url, ARTICLES_SQL) == query(database_url, ARTICLES_SQL)


def test_unreadable_warc_is_named(tmp_path):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"this is not a warc file at all\n" * 10)
    with pytest.raises(WarcError, match="bad.warc.gz: not a readable WARC"):
        with open_warc(str(bad)) as stream:
            list(read_html_responses(stream, str(bad)))
    with pytest.raises(WarcError, match="missing.warc: cannot open"):
        open_warc(str(tmp_path / "missing.warc"))


def record_spans(path: Path) -> dict[str, tuple[int, int]]:
    """url → (offset, length) of each record in a WARC file."""
    from warcio.archiveiterator import ArchiveIterator

    spans = {}
    with path.open("rb") as file:
        records = ArchiveIterator(file)
        for record in records:
            url = record.rec_headers.get_header("WARC-Target-URI")
            spans[url] = (records.get_record_offset(), records.get_record_length())
    return spans


def cut_inside(path: Path, url: str) -> Path:
    """A copy of the WARC file that ends halfway through the record of `url`."""
    offset, length = record_spans(path)[url]
    cut = path.with_name("cut-" + path.name)
    cut.write_bytes(path.read_bytes()[:offset + length // 2])
    return cut


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_cut_warc_is_named_with_the_offset_reached(tmp_path, gzip):
    records = [(f"{GULF}/article/{n}/", 200, "text/html", CC_NEWS_ARABIC) for n in range(4)]
    path = write_warc(tmp_path / ("a.warc.gz" if gzip else "a.warc"), records, gzip=gzip)
    cut = cut_inside(path, f"{GULF}/article/2/")
    read = []
    with pytest.raises(WarcError) as error, open_warc(str(cut)) as stream:
        read.extend(r.url for r in read_html_responses(stream, str(cut)))
    assert read == [f"{GULF}/article/0/", f"{GULF}/article/1/"]
    offset = record_spans(path)[f"{GULF}/article/2/"][0]
    assert str(error.value).startswith(
        f"{cut}: truncated at byte {cut.stat().st_size}, inside the record that starts at "
        f"byte {offset} (2 complete records before it")
    with open_warc(str(path)) as stream:  # the whole file reads without error
        assert len(list(read_html_responses(stream, str(path)))) == 4


def test_truncated_warc_fails_naming_it_and_keeps_what_came_before(prefect_api, database_url,
                                                                  gulf_warc):
    path, chosen, _ = gulf_warc
    cut = cut_inside(path, chosen[3])
    pages, _ = gulf_site()
    later = write_warc(path.with_name("later.warc"), [
        (url, 200, "text/html", body_of(pages, url)) for url in chosen[4:]], gzip=False)
    result = subprocess.run(
        [sys.executable, "-m", "akhbar.flows.cli", "import-warc", str(cut), str(later),
         "--seeds-dir", str(SEEDS_DIR)],
        env=dict(os.environ, PREFECT_API_URL=prefect_api), capture_output=True, text=True,
        timeout=600)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("akhbar: error:")]
    assert len(errors) == 1, result.stderr[-3000:]
    assert errors[0].startswith(f"akhbar: error: {cut}: truncated at byte {cut.stat().st_size},")
    # The complete records before the cut are stored and extracted, the next file is read; the
    # run says what happened.
    assert [row[0] for row in query(database_url, "SELECT url FROM articles ORDER BY url")] == \
        sorted(chosen[:3] + chosen[4:])
    [(status, error)] = query(database_url, "SELECT status, error FROM crawl_runs")
    assert status == "failed" and error.startswith(f"{cut}: truncated at byte")


def store_task_runs(flow_run_id) -> list:
    """The store_warc_pages task runs of a flow run, each with its states, once all are final."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + 60
    with get_client(sync_client=True) as client:
        while True:  # task run states reach the API as events, a moment after the flow ends
            runs = [run for run in client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[flow_run_id]))) if run.name.startswith("store_warc")]
            if (runs and all(run.state and run.state.is_final() for run in runs)) \
                    or time.monotonic() > deadline:
                return [(run, [s.name for s in client.read_task_run_states(run.id)])
                        for run in runs]
            time.sleep(0.5)


@pytest.mark.parametrize("bad", ["truncated", "garbage", "missing URL"])
def test_a_bad_warc_fails_the_run_at_once_without_retries(prefect_api, database_url, gulf_warc,
                                                         bad):
    path, chosen, _ = gulf_warc
    files = {"/cc-news.warc.gz": Response(path.read_bytes(), "application/gzip")}
    location = {"truncated": str(cut_inside(path, chosen[3])),
                "garbage": str(path.with_name("garbage.warc.gz")),
                "missing URL": "http://files.akhbar.test/gone.warc.gz"}[bad]
    path.with_name("garbage.warc.gz").write_bytes(b"\x1f\x8b" + bytes(range(256)) * 40)
    with LoopbackNetwork({"files.akhbar.test": files}) as network:
        state = import_warc(paths=[location], seeds_dir=str(SEEDS_DIR),
                            proxy=network.proxy_url, return_state=True)
    assert state.is_failed() and state.message.startswith(f"{location}: ")
    [(run, states)] = store_task_runs(state.state_details.flow_run_id)
    assert run.run_count == 1
    assert "AwaitingRetry" not in states and "Retrying" not in states, states


def test_a_download_that_may_work_later_is_retried(prefect_api, database_url):
    unavailable = {"/cc-news.warc.gz": Response(b"busy", "text/plain", status=503)}
    with LoopbackNetwork({"files.akhbar.test": unavailable}) as network:
        state = import_warc(paths=["http://files.akhbar.test/cc-news.warc.gz"],
                            seeds_dir=str(SEEDS_DIR), proxy=network.proxy_url,
                            return_state=True)
        assert network.fetched("http://files.akhbar.test/cc-news") == 3
    assert state.is_failed()
    [(run, states)] = store_task_runs(state.state_details.flow_run_id)
    assert run.run_count == 3 and states.count("Retrying") == 2, states


def test_an_input_error_in_the_store_task_is_not_retried(prefect_api, database_url, gulf_warc,
                                                        monkeypatch):
    def unreadable(stream, location):
        raise ValueError(f"{location}: a record this reader does not understand")
        yield

    monkeypatch.setattr("akhbar.flows.import_warc.read_html_responses", unreadable)
    path, _, _ = gulf_warc
    state = import_warc(paths=[str(path)], seeds_dir=str(SEEDS_DIR), return_state=True)
    assert state.is_failed()
    [(run, states)] = store_task_runs(state.state_details.flow_run_id)
    assert run.run_count == 1 and "Retrying" not in states, states


@pytest.mark.parametrize("error, transient", [
    (WarcError("a.warc: truncated at byte 10"), False),
    (ValueError("bad input"), False),
    (psycopg.errors.UniqueViolation("duplicate key"), False),
    (psycopg.OperationalError("server closed the connection unexpectedly"), True),
    (ConnectionResetError(104, "Connection reset by peer"), True),
    (TimeoutError("timed out"), True),
])
def test_only_transient_io_errors_are_retried(error, transient):
    from akhbar.flows.tasks import is_transient
    from akhbar.spiders.warc import WarcDownloadError
    from akhbar.sql import DatabaseError

    assert is_transient(error) is transient
    wrapped = DatabaseError("cannot connect to PostgreSQL")
    wrapped.__cause__ = psycopg.OperationalError("connection refused")
    assert is_transient(wrapped) and not is_transient(DatabaseError("migration failed"))
    assert is_transient(WarcDownloadError("x: cannot download: 503", transient=True))
    assert not is_transient(WarcDownloadError("x: cannot download: 404", transient=False))
