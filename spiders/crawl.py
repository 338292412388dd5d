"""Crawl one site in this process: `python -m akhbar.spiders.crawl SITE [options]`.

The Twisted reactor cannot be restarted, so every crawl runs in a process of its own; the
flow starts it and reads its log lines. The last line on stdout is the crawl's summary as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from akhbar.seeds import SEEDS_DIR, SeedError, load_seeds
from akhbar.spiders.news import NewsSpider
from akhbar.spiders.settings import crawl_settings
from akhbar.sql import DatabaseError, database_url
from scrapy.crawler import CrawlerProcess

SUMMARY_PREFIX = "AKHBAR_CRAWL_SUMMARY "


def crawl(site_id: str, seeds_dir: Path, crawl_run_id: int | None,
          since: date | None = None, until: date | None = None,
          warc_dir: Path | None = None) -> dict:
    """Run the spider for one site to the end and return its counts."""
    seed = load_seeds(seeds_dir, [site_id])[0]
    url = database_url()
    settings = crawl_settings(seed)
    if warc_dir:
        settings["AKHBAR_WARC_DIR"] = str(warc_dir)
        settings["DOWNLOADER_MIDDLEWARES"]["akhbar.spiders.warc.WarcExportMiddleware"] = 585
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, seed=seed, database_url=url, crawl_run_id=crawl_run_id,
                  since=since, until=until)
    process.start()
    stats = crawler.stats.get_stats()
    return {
        "discovered": stats.get("akhbar/discovered", 0),
        "fetched": stats.get("akhbar/fetched", 0),
        "pages_stored": stats.get("akhbar/pages_stored", 0),
        "unchanged_skipped": stats.get("akhbar/unchanged_skipped", 0),
        "errors": stats.get("akhbar/errors", 0),
        "robots_disallowed": stats.get("robotstxt/forbidden", 0),
        "not_modified": stats.get("akhbar/not_modified", 0),
        "finish_reason": stats.get("finish_reason"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m akhbar.spiders.crawl",
                                     description="Crawl one site into the pages table.")
    parser.add_argument("site", help="site id (a seed file name without .toml)")
    parser.add_argument("--seeds-dir", type=Path, default=SEEDS_DIR)
    parser.add_argument("--crawl-run-id", type=int, default=None)
    parser.add_argument("--since", type=date.fromisoformat, help="window start (YYYY-MM-DD)")
    parser.add_argument("--until", type=date.fromisoformat, help="window end, inclusive")
    parser.add_argument("--warc-out", type=Path, help="also write every response to WARC here")
    args = parser.parse_args(argv)
    try:
        summary = crawl(args.site, args.seeds_dir, args.crawl_run_id, args.since, args.until,
                        args.warc_out)
    except (SeedError, DatabaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(SUMMARY_PREFIX + json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
