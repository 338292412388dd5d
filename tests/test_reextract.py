"""Re-extraction: stored pages through the current extractor, in place, without the network."""

from __future__ import annotations

import psycopg
from akhbar.flows.nightly import nightly
from akhbar.flows.reextract import reextract
from conftest import table_snapshot


def test_reextract_updates_in_place_without_fetching(prefect_api, database_url, demo_site,
                                                     demo_seeds_dir, monkeypatch):
    nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url)
    requests = sum(demo_site.requests.values())
    with psycopg.connect(database_url) as conn:
        ids_before = conn.execute("SELECT id, url FROM articles ORDER BY id").fetchall()
        conn.execute("UPDATE articles SET text = 'نص قديم', extractor_version = '2000.01.01'")
    [summary] = reextract(site="demo", seeds_dir=str(demo_seeds_dir))
    assert (summary["updated_articles"], summary["new_articles"]) == (5, 0)
    assert sum(demo_site.requests.values()) == requests  # no request at all
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT id, url FROM articles ORDER BY id").fetchall() == ids_before
        versions = conn.execute("SELECT DISTINCT extractor_version FROM articles").fetchall()
        assert versions != [("2000.01.01",)] and len(versions) == 1
        assert conn.execute("SELECT count(*) FROM articles WHERE text = 'نص قديم'"
                            ).fetchone()[0] == 0
    before = table_snapshot(database_url)
    [again] = reextract(site="demo", seeds_dir=str(demo_seeds_dir))
    assert (again["updated_articles"], again["unchanged"]) == (0, 5)
    assert table_snapshot(database_url) == before
