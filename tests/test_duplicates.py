"""Duplicates in PostgreSQL: exact copies within a site are rejected; agency stories carried by
two sites share one near-duplicate cluster."""

from __future__ import annotations

import psycopg
import pytest
from akhbar.extract import Article
from akhbar.extract.dedupe import signature, similarity
from akhbar.seeds import load_seeds
from akhbar.sql import connect, repository
from golden import extract_golden
from network import SEEDS_DIR


def article_from(name: str, url: str) -> Article:
    data = extract_golden(name)
    from datetime import datetime
    for key in ("published_at", "modified_at"):
        data[key] = datetime.fromisoformat(data[key]) if data[key] else None
    data["url"] = url
    return Article(**data)


@pytest.fixture
def sources(database_url):
    seeds = {s.id: s for s in load_seeds(SEEDS_DIR)}
    with connect() as conn:
        for seed in seeds.values():
            repository.register_source(conn, seed)
    return seeds


def store_page(conn, source_id: str, url: str) -> int:
    return conn.execute(
        "INSERT INTO pages (source_id, url, final_url, http_status, body, sha256) "
        "VALUES (%s, %s, %s, 200, '', repeat('0', 63) || %s) RETURNING id",
        (source_id, url, url, str(abs(hash(url)) % 10))).fetchone()["id"]


def test_signatures_see_near_duplicates():
    a = extract_golden("wire-gulf")["text_normalized"]
    b = extract_golden("wire-levant")["text_normalized"]
    c = extract_golden("levantine-daily")["text_normalized"]
    assert similarity(signature(a), signature(b)) >= 0.6
    assert similarity(signature(a), signature(c)) < 0.2


@pytest.mark.parametrize("words", [0, 1, 3, 4, 5, 9000])
def test_a_signature_hashed_in_batches_is_the_signature_of_all_shingles(words):
    from datasketch import MinHash

    text = " ".join(f"كلمة{n % 977}" for n in range(words))
    tokens = text.split()
    every = ([" ".join(tokens[i:i + 4]).encode() for i in range(len(tokens) - 3)]
             if len(tokens) >= 4 else [" ".join(tokens).encode()] if tokens else [])
    whole = MinHash(num_perm=128, seed=1)
    whole.update_batch(every)
    assert signature(text) == whole.hashvalues.astype("<u8").tobytes()


def test_agency_story_on_two_sites_shares_a_cluster(sources, database_url):
    with connect() as conn:
        gulf_page = store_page(conn, "gulf", "http://gulf.akhbar.test/article/1/x/")
        legacy_page = store_page(conn, "legacy", "http://legacy.akhbar.test/news/1.html")
        other_page = store_page(conn, "legacy", "http://legacy.akhbar.test/news/2.html")
        repository.load_results(conn, "gulf", [
            (gulf_page, "http://gulf.akhbar.test/article/1/x/",
             article_from("wire-gulf", "http://gulf.akhbar.test/article/1/x/"))])
        counts = repository.load_results(conn, "legacy", [
            (legacy_page, "http://legacy.akhbar.test/news/1.html",
             article_from("wire-levant", "http://legacy.akhbar.test/news/1.html")),
            (other_page, "http://legacy.akhbar.test/news/2.html",
             article_from("levantine-daily", "http://legacy.akhbar.test/news/2.html"))])
    assert counts.new_articles == 2
    with psycopg.connect(database_url) as conn:
        rows = dict(conn.execute("SELECT url, cluster_id FROM articles").fetchall())
        first = conn.execute("SELECT id FROM articles WHERE source_id = 'gulf'").fetchone()[0]
    assert rows["http://gulf.akhbar.test/article/1/x/"] == first
    assert rows["http://legacy.akhbar.test/news/1.html"] == first
    assert rows["http://legacy.akhbar.test/news/2.html"] != first


def test_same_text_under_two_urls_of_a_site_is_one_article(sources, database_url):
    urls = ["http://gulf.akhbar.test/article/1/x/", "http://gulf.akhbar.test/article/2/y/"]
    with connect() as conn:
        pages = [store_page(conn, "gulf", url) for url in urls]
        staged = [(page, url, article_from("wire-gulf", url))
                  for page, url in zip(pages, urls, strict=True)]
        counts = repository.load_results(conn, "gulf", staged)
        again = repository.load_results(conn, "gulf", [
            (pages[1], urls[1], article_from("wire-gulf", urls[1]))])
    assert (counts.new_articles, counts.duplicates) == (1, 1)
    assert (again.new_articles, again.duplicates) == (0, 0)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT url FROM articles").fetchall() == [(urls[0],)]
        assert conn.execute("SELECT reason, detail FROM rejects").fetchall() == [
            ("duplicate", f"same text as {urls[0]}")]
