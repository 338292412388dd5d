"""Getting the corpus out (sql/corpus.py, flows/export.py, flows/reading.py) on a real
PostgreSQL: export round trips, incremental export, search, stats, history, the Python API."""

from __future__ import annotations

import base64
import csv
import dataclasses
import json
import subprocess
import sys
from datetime import datetime

import pytest
from akhbar.extract import Article
from akhbar.sql import connect, corpus, repository
from test_duplicates import article_from, sources, store_page  # noqa: F401 (fixture)

GULF = "http://gulf.akhbar.test/article/1/x/"
LEVANT = "http://legacy.akhbar.test/news/1.html"
DAILY = "http://legacy.akhbar.test/news/2.html"


def akhbar(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", *args],
                            capture_output=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr.decode()
    return result


@pytest.fixture
def stored(sources, database_url):  # noqa: F811
    """Three articles on two sites (two of them a syndicated wire story)."""
    with connect() as conn:
        for site, url, name in (("gulf", GULF, "wire-gulf"), ("legacy", LEVANT, "wire-levant"),
                                ("legacy", DAILY, "levantine-daily")):
            page = store_page(conn, site, url)
            repository.load_results(conn, site, [(page, url, article_from(name, url))])
    return database_url


def stored_rows() -> dict[str, dict]:
    with connect() as conn:
        return {row["url"]: row for row in conn.execute(
            "SELECT a.*, a.source_id AS site FROM articles a")}


def test_every_export_format_round_trips_the_stored_articles(stored, tmp_path):
    import pyarrow.parquet as pq

    rows = stored_rows()
    jsonl = [json.loads(line) for line in akhbar("export").stdout.decode().splitlines()]
    akhbar("export", "-o", str(tmp_path / "a.csv"))
    with open(tmp_path / "a.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    akhbar("export", "-o", str(tmp_path / "a.parquet"))
    parquet = pq.read_table(tmp_path / "a.parquet").to_pylist()
    assert len(jsonl) == len(table) == len(parquet) == 3
    for got_json, got_csv, got_parquet in zip(jsonl, table, parquet, strict=True):
        want = rows[got_json["url"]]
        for field in corpus.FIELDS:
            if field in corpus.OPTIONAL_FIELDS:
                continue
            value = want[field]
            if isinstance(value, datetime):
                assert datetime.fromisoformat(got_json[field]) == value
                assert datetime.fromisoformat(got_csv[field]) == value
                assert got_parquet[field] == value and got_parquet[field].tzinfo
            elif isinstance(value, list):
                assert got_json[field] == value == json.loads(got_csv[field])
                assert got_parquet[field] == value
            else:
                assert got_json[field] == value, field
                assert got_parquet[field] == value, field
                assert got_csv[field] == ("" if value is None else str(value)), field
        # Arabic text byte for byte
        assert got_json["text"].encode() == got_parquet["text"].encode() == \
            want["text"].encode() == got_csv["text"].encode()


def test_parquet_loads_in_pandas_and_hugging_face_datasets(stored, tmp_path):
    datasets = pytest.importorskip("datasets")
    import pandas

    akhbar("export", "-o", str(tmp_path / "a.parquet"), "--site", "legacy")
    frame = pandas.read_parquet(tmp_path / "a.parquet")
    assert sorted(frame["url"]) == [LEVANT, DAILY]
    dataset = datasets.load_dataset("parquet", data_files=str(tmp_path / "a.parquet"),
                                    split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(dataset["url"]) == [LEVANT, DAILY]
    assert dataset.features["authors"].feature.dtype == "string"


def test_filters_fields_and_raw_pages(stored):
    out = akhbar("export", "--site", "gulf", "--fields", "url,title", "--include-raw").stdout
    rows = [json.loads(line) for line in out.decode().splitlines()]
    assert [list(r) for r in rows] == [["url", "title", "raw_html", "raw_encoding"]]
    assert base64.b64decode(rows[0]["raw_html"]) == b""  # the stored (empty) test body
    since = akhbar("export", "--since", "2021-01-01", "--fields", "url").stdout.decode()
    assert {json.loads(line)["url"] for line in since.splitlines()} == {GULF, LEVANT}
    bad = akhbar("export", "--fields", "url,nope", check=False)
    assert bad.returncode == 2 and b"unknown field(s) nope" in bad.stderr
    bad = akhbar("export", "--since", "yesterday", check=False)
    assert bad.returncode == 2 and b"'yesterday' is not a date" in bad.stderr
    bad = akhbar("export", "-o", "/nonexistent/folder/a.jsonl", check=False)
    assert bad.returncode == 2 and b"/nonexistent/folder does not exist" in bad.stderr
    bad = akhbar("search", "x", "--limit", "0", check=False)
    assert bad.returncode == 2 and b"0 is not a positive number" in bad.stderr


def changed(article: Article) -> Article:
    return dataclasses.replace(article, text=article.text + "\nوأضاف المتحدث أن العمل مستمر.",
                               text_normalized=article.text_normalized + "\nواضاف المتحدث ان "
                               "العمل مستمر.")


def test_an_incremental_export_gets_exactly_the_changed_article_and_history_keeps_the_old(
        stored):
    first = akhbar("export", "--fields", "url")
    watermark = first.stderr.decode().split("--updated-since ")[1].split()[0]
    old_text = stored_rows()[DAILY]["text"]
    with connect() as conn:  # a second crawl: one article changed, one the same
        page = store_page(conn, "legacy", DAILY + "?v2")
        again = store_page(conn, "legacy", LEVANT + "?v2")
        repository.load_results(conn, "legacy", [
            (page, DAILY, changed(article_from("levantine-daily", DAILY))),
            (again, LEVANT, article_from("wire-levant", LEVANT))])
    out = akhbar("export", "--updated-since", watermark, "--fields", "url").stdout.decode()
    assert [json.loads(line)["url"] for line in out.splitlines()] == [DAILY]
    versions = corpus.history(DAILY)
    assert [v.text for v in versions] == [old_text, stored_rows()[DAILY]["text"]]
    assert versions[0].valid_to is not None and versions[-1].valid_to is None
    assert len(corpus.history(LEVANT)) == 1  # re-stored unchanged: no version
    exported = [json.loads(line) for line in akhbar(
        "export", "--versions", "--fields", "url,versions").stdout.decode().splitlines()]
    by_url = {row["url"]: row["versions"] for row in exported}
    assert [v["text"] for v in by_url[DAILY]] == [old_text] and by_url[LEVANT] == []
    shown = akhbar("history", DAILY).stdout.decode()
    assert "version 2:" in shown and "{+وأضاف المتحدث أن العمل مستمر.+}" in shown


def test_search_finds_any_spelling_and_shows_a_snippet(stored):
    text = stored_rows()[DAILY]["text"]
    assert "الحدائق العامة" in text
    assert "أطلقت" in text
    # teh marbuta as heh, diacritics, alef without hamza, the word without its article,
    # a quoted phrase
    for spelling in ("الحدائق العامه", "الحدائقِ العامةُ", "اطلقت بلديه", "حدائق",
                     '"الحدائق العامة"'):
        hits = corpus.search(spelling)
        assert DAILY in [h.url for h in hits], spelling
    hit = next(h for h in corpus.search("الحدائق العامه") if h.url == DAILY)
    assert "«" in hit.snippet and "»" in hit.snippet
    out = json.loads(akhbar("search", "الحدائق", "--json", "--site", "legacy").stdout)
    assert [h["url"] for h in out] == [DAILY]
    assert json.loads(akhbar("search", "الحدائق", "--json", "--site", "gulf").stdout) == []


def test_stats_match_counts_made_independently(stored):
    with connect() as conn:
        page = store_page(conn, "legacy", "http://legacy.akhbar.test/news/9.html")
        conn.execute("INSERT INTO rejects (page_id, reason, detail, extractor_version) "
                     "VALUES (%s, 'too_short', 'x', 'test')", (page,))
    rows = {row["site"]: row for row in json.loads(akhbar("stats", "--json").stdout)}
    assert (rows["legacy"]["articles"], rows["legacy"]["pages"]) == (2, 3)
    assert rows["legacy"]["rejects"] == {"too_short": 1}
    assert (rows["gulf"]["articles"], rows["gulf"]["pages"]) == (1, 1)
    # the syndicated story: one cross-site cluster counted on each site
    assert rows["gulf"]["clusters"] == rows["legacy"]["clusters"] == 1
    assert rows["legacy"]["first_published"].startswith("2020-01-12")


def test_python_api_yields_typed_records_and_a_data_frame(stored):
    records = list(corpus.articles(site="legacy", since="2021-01-01"))
    assert [type(r) for r in records] == [corpus.ArticleRecord]
    assert records[0].url == LEVANT and isinstance(records[0].published_at, datetime)
    assert [r.url for r in corpus.articles(query="الحدائق العامه")] == [DAILY]
    frame = corpus.to_pandas(site=["gulf", "legacy"])
    assert list(frame.columns) == list(corpus.FIELDS) and len(frame) == 3


def test_version_and_help_of_the_new_commands():
    assert akhbar("--version").stdout.decode().startswith("akhbar ")
    for command in (("export",), ("search",), ("stats",), ("history",), ("db", "url"),
                    ("db", "serve"), ("db", "shell")):
        assert akhbar(*command, "--help").returncode == 0


def test_the_watermark_waits_for_a_load_still_in_progress(stored):
    with connect() as loader, connect(autocommit=True) as exporter:
        with loader.transaction():
            started = loader.execute("SELECT now() AS t").fetchone()["t"]
            assert corpus.watermark(exporter) <= started
        assert corpus.watermark(exporter) > started


def test_db_shell_without_psql_says_how_to_install_it(tmp_path):
    import os
    import shutil

    env = {**os.environ, "PATH": str(tmp_path)}  # no psql on it
    assert shutil.which("psql", path=env["PATH"]) is None
    result = subprocess.run([sys.executable, "-m", "akhbar.flows.cli", "db", "shell"],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 2
    assert "psql is not installed" in result.stderr and "postgresql-client" in result.stderr
