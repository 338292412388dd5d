"""Backfill: only the window, chunk by chunk, and a killed run resumes without losing or
duplicating anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from urllib.parse import unquote

import psycopg
import pytest
from akhbar.flows.backfill import backfill, plan_chunks
from akhbar.flows.demo.server import LoopbackNetwork
from network import ARCHIVE, SEEDS_DIR, archive_articles, archive_site

WINDOW = {"since": date(2019, 1, 1), "until": date(2019, 3, 31)}
CONTENT = {
    "articles": "SELECT url, title, text, content_hash, published_at, word_count FROM articles "
                "ORDER BY url",
    "pages": "SELECT url, final_url, sha256, encoding FROM pages ORDER BY url",
    "rejects": "SELECT p.url, r.reason FROM rejects r JOIN pages p ON p.id = r.page_id "
               "ORDER BY p.url",
    "chunks": "SELECT chunk_start, chunk_end, status FROM backfill_chunks ORDER BY chunk_start",
}


def content(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in CONTENT.items()}


def in_window(article) -> bool:
    return "2019-01" <= article.published[:7] <= "2019-03"


@pytest.fixture
def archive_network():
    with LoopbackNetwork({"archive.akhbar.test": archive_site()}) as network:
        yield network


def test_plan_chunks():
    assert plan_chunks(date(2019, 1, 15), date(2019, 3, 2), "month") == [
        (date(2019, 1, 15), date(2019, 1, 31)), (date(2019, 2, 1), date(2019, 2, 28)),
        (date(2019, 3, 1), date(2019, 3, 2))]
    assert len(plan_chunks(date(2019, 1, 1), date(2019, 1, 10), "day")) == 10
    with pytest.raises(ValueError, match="before"):
        plan_chunks(date(2019, 2, 1), date(2019, 1, 1), "day")


def test_backfill_fetches_the_window_only(prefect_api, database_url, archive_network):
    runs = backfill(site="archive", chunk="month", seeds_dir=str(SEEDS_DIR),
                    proxy=archive_network.proxy_url, **WINDOW)
    assert len(runs) == 3
    expected = sorted(ARCHIVE + a.path for a in archive_articles() if in_window(a))
    stored = content(database_url)
    assert [row[0] for row in stored["articles"]] == expected
    assert len(expected) == 12
    assert [row[2] for row in stored["chunks"]] == ["done"] * 3
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        [progress] = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["backfill-archive"])), limit=1)
    assert progress.type == "progress" and float(progress.data) == 100.0
    for article in archive_articles():
        if not in_window(article):
            assert archive_network.requests[ARCHIVE + article.path] == 0
    # Again: every chunk is done, nothing is fetched.
    before = archive_network.fetched(ARCHIVE + "/article/")
    assert backfill(site="archive", chunk="month", seeds_dir=str(SEEDS_DIR),
                    proxy=archive_network.proxy_url, **WINDOW) == []
    assert archive_network.fetched(ARCHIVE + "/article/") == before
    assert content(database_url) == stored


def backfill_command(proxy: str) -> list[str]:
    return [sys.executable, "-m", "akhbar.flows.cli", "backfill", "archive",
            "--since", "2019-01-01", "--until", "2019-03-31", "--chunk", "month",
            "--seeds-dir", str(SEEDS_DIR), "--proxy", proxy]


def test_killed_backfill_resumes_to_the_same_rows(prefect_api, database_url, make_database,
                                                   archive_network):
    # The reference: an uninterrupted backfill into a database of its own.
    reference_url = make_database()
    env = dict(os.environ, PREFECT_API_URL=prefect_api)
    with LoopbackNetwork({"archive.akhbar.test": archive_site()}) as reference_network:
        done = subprocess.run(backfill_command(reference_network.proxy_url),
                              env=env | {"AKHBAR_DATABASE_URL": reference_url},
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    reference = content(reference_url)

    # February's articles are slow, so the kill lands while that chunk is in flight.
    february = [a for a in archive_articles() if a.published.startswith("2019-02")]
    for article in february:
        archive_network.delays[ARCHIVE + unquote(article.path)] = 1.5
        archive_network.delays[ARCHIVE + article.path] = 1.5
    process = subprocess.Popen(backfill_command(archive_network.proxy_url),
                               env=env | {"AKHBAR_DATABASE_URL": database_url},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not any(archive_network.requests[ARCHIVE + a.path] for a in february):
        assert process.poll() is None, "the backfill ended before February was in flight"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(2)  # the crawl process dies with its parent; let the socket settle
    killed = content(database_url)
    assert [row[:2] for row in killed["chunks"] if row[2] == "done"] == [
        (date(2019, 1, 1), date(2019, 1, 31))]

    archive_network.delays.clear()
    resumed = subprocess.run(backfill_command(archive_network.proxy_url),
                             env=env | {"AKHBAR_DATABASE_URL": database_url},
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert content(database_url) == reference
    # Only the chunk in flight may have been fetched twice.
    refetched = {url for url, n in archive_network.requests.items()
                 if "/article/" in url and n > 1}
    assert refetched <= {ARCHIVE + a.path for a in february}
    assert "3 chunks, 1 already done before" in resumed.stdout


def test_proxy_credentials_never_reach_prefect(prefect_api, database_url, archive_network):
    from prefect.client.orchestration import get_client

    host, port = archive_network.proxy_url.removeprefix("http://").split(":")
    proxy = f"http://reader:s3cr3t-PW@{host}:{port}"
    command = backfill_command(proxy)
    command[command.index("--until") + 1] = "2019-01-31"
    done = subprocess.run(command, env=dict(os.environ, PREFECT_API_URL=prefect_api),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert archive_network.fetched(ARCHIVE + "/article/") == 4  # the crawl used the proxy
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(limit=200)
    assert runs and not any("s3cr3t-PW" in repr(run.parameters) for run in runs)
    assert "s3cr3t-PW" not in done.stdout + done.stderr
    # Given as a flow parameter, credentials are refused before anything runs.
    state = backfill(site="archive", since=date(2019, 1, 1), until=date(2019, 1, 31),
                     seeds_dir=str(SEEDS_DIR), proxy=proxy, return_state=True)
    assert state.is_failed() and "set AKHBAR_PROXY" in state.message


def test_a_backfill_while_the_site_is_down_gets_everything_once_it_is_up(
        prefect_api, database_url, archive_network):
    from akhbar.flows.demo.site import Response

    pages = archive_network.sites.pop("archive.akhbar.test")
    archive_network.fallbacks["archive.akhbar.test"] = Response(b"down", status=500)
    state = backfill(site="archive", chunk="month", seeds_dir=str(SEEDS_DIR),
                     proxy=archive_network.proxy_url, return_state=True, **WINDOW)
    assert state.is_failed() and state.message.startswith("3 of 3 chunks stay pending: ")
    chunks = content(database_url)["chunks"]
    assert [status for _, _, status in chunks] == ["pending"] * 3
    with psycopg.connect(database_url) as conn:
        errors = [e for (e,) in conn.execute("SELECT error FROM backfill_chunks")]
    assert all("discovery URLs failed: HTTP 500" in e for e in errors), errors

    # Up again, but one February article still fails: February alone stays pending.
    archive_network.sites["archive.akhbar.test"] = pages
    del archive_network.fallbacks["archive.akhbar.test"]
    february = next(a for a in archive_articles() if a.published.startswith("2019-02"))
    good = pages[unquote(february.path)]
    pages[unquote(february.path)] = Response(b"oops", status=500)
    state = backfill(site="archive", chunk="month", seeds_dir=str(SEEDS_DIR),
                     proxy=archive_network.proxy_url, return_state=True, **WINDOW)
    assert state.is_failed() and state.message.startswith("1 of 3 chunks stay pending: ")
    assert [status for _, _, status in content(database_url)["chunks"]] == [
        "done", "pending", "done"]

    pages[unquote(february.path)] = good
    runs = backfill(site="archive", chunk="month", seeds_dir=str(SEEDS_DIR),
                    proxy=archive_network.proxy_url, **WINDOW)
    assert len(runs) == 1  # only February was crawled again
    rows = content(database_url)
    assert [status for _, _, status in rows["chunks"]] == ["done"] * 3
    assert [row[0] for row in rows["articles"]] == sorted(
        ARCHIVE + a.path for a in archive_articles() if in_window(a))
