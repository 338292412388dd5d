"""Crawl one site in this process: `python -m akhbar.spiders.crawl SITE [options]`.

The Twisted reactor cannot be restarted, so every crawl runs in a process of its own. The
process holds the site's lock in PostgreSQL for its whole life and writes its own counts to
its crawl_runs row; the last line on stdout is a summary for people and scripts.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import sys
from datetime import date
from pathlib import Path

from akhbar.sql.dsn import DATABASE_URL_ENV

SUMMARY_PREFIX = "AKHBAR_CRAWL_SUMMARY "
PARENT_ENV = "AKHBAR_PARENT_PID"
PR_SET_PDEATHSIG = 1
# Exit codes the flow tells apart.
EXIT_BAD_INPUT = 2
EXIT_SITE_BUSY = 3
EXIT_DATABASE_LOST = 4


def crawl_environment(database_url: str | None, proxy: str | None) -> dict[str, str]:
    """The environment of a crawl process started by this one: its database (none: none),
    its proxy, unbuffered output, and this process's pid to die with."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", **{PARENT_ENV: str(os.getpid())})
    env.pop(DATABASE_URL_ENV, None)
    if database_url:
        env[DATABASE_URL_ENV] = database_url
    if proxy:
        env.update(http_proxy=proxy, HTTP_PROXY=proxy, https_proxy=proxy, HTTPS_PROXY=proxy)
    return env


def die_with_parent() -> None:
    """Be killed when the process that started us dies (Linux), so no crawl is orphaned."""
    parent = os.environ.get(PARENT_ENV)
    if not parent or sys.platform != "linux":
        return
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):  # the parent died before we asked
        os._exit(1)


def crawl(site_id: str, seeds_dir: Path | None, crawl_run_id: int | None,
          since: date | None = None, until: date | None = None,
          warc_dir: Path | None = None) -> dict:
    """Run the spider for one site to the end and return its counts."""
    from akhbar.seeds import load_seeds
    from akhbar.seeds.settings import get_settings
    from akhbar.spiders.news import NewsSpider
    from akhbar.spiders.settings import crawl_settings
    from akhbar.spiders.store import PageStore
    from akhbar.sql import database_url
    from scrapy.crawler import CrawlerProcess

    seed = load_seeds(seeds_dir, [site_id])[0]
    settings = get_settings()
    store = PageStore(database_url(), seed.id, crawl_run_id)
    try:
        store.lock_site(settings.site_wait_seconds,
                        log=lambda line: print(f"INFO akhbar: {line}", file=sys.stderr))
        scrapy_settings = crawl_settings(seed, settings)
        if warc_dir:
            scrapy_settings["AKHBAR_WARC_DIR"] = str(warc_dir)
            scrapy_settings["DOWNLOADER_MIDDLEWARES"][
                "akhbar.spiders.warc.WarcExportMiddleware"] = 585
        process = CrawlerProcess(scrapy_settings)
        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, seed=seed, store=store, since=since, until=until)
        process.start()
    finally:
        store.close()
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    article = spider.tally.counts["article"]
    return {
        "discovered": stats.get("akhbar/discovered", 0),
        "fetched": article["stored"] + article["same"],
        "pages_stored": article["stored"],
        "unchanged_skipped": article["unchanged_skipped"],
        "errors": spider.failures(),
        "robots_disallowed": article["robots"] + spider.tally.counts["discovery"]["robots"],
        "not_modified": spider.tally.counts["discovery"]["not_modified"],
        "outcomes": spider.tally.to_json(),
        "finish_reason": stats.get("finish_reason"),
        "database_lost": spider.lost_database,
    }


def check(site_id: str, seeds_dir: Path | None, samples: int, since: date | None = None,
          until: date | None = None) -> dict:
    """A dry run of the site's nightly discovery, then `samples` articles fetched: what each
    source gave and the sample pages (base64), nothing written to the database."""
    import base64

    from akhbar.seeds import load_seeds
    from akhbar.seeds.settings import get_settings
    from akhbar.spiders.news import NewsSpider
    from akhbar.spiders.settings import crawl_settings
    from akhbar.spiders.store import DryStore
    from scrapy.crawler import CrawlerProcess

    seed = load_seeds(seeds_dir, [site_id])[0]
    store = DryStore(os.environ.get(DATABASE_URL_ENV), seed.id)
    process = CrawlerProcess(crawl_settings(seed, get_settings()))
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, seed=seed, store=store, check=samples, since=since, until=until)
    process.start()
    spider = crawler.spider
    return {
        "site": seed.id,
        "note": store.note,
        "sources": list(spider.sources.values()),
        "article_urls": len(spider.candidates),
        "new": sum(1 for url in spider.candidates if url not in store.held()),
        "would_fetch": sum(1 for _, nightly in spider.candidates.values() if nightly),
        "outcomes": spider.tally.to_json(),
        "samples": [{"url": page["url"], "final_url": page["final_url"],
                     "http_status": page["http_status"], "encoding": page["encoding"],
                     "body": base64.b64encode(page["body"]).decode("ascii")}
                    for page in store.pages],
        "failed_samples": spider.sample_failures,
    }


def main(argv: list[str] | None = None) -> int:
    die_with_parent()
    parser = argparse.ArgumentParser(prog="python -m akhbar.spiders.crawl",
                                     description="Crawl one site into the pages table.")
    parser.add_argument("site", help="site id (a seed file name without .toml)")
    parser.add_argument("--seeds-dir", type=Path, default=None)
    parser.add_argument("--crawl-run-id", type=int, default=None)
    parser.add_argument("--since", type=date.fromisoformat, help="window start (YYYY-MM-DD)")
    parser.add_argument("--until", type=date.fromisoformat, help="window end, inclusive")
    parser.add_argument("--warc-out", type=Path, help="also write every response to WARC here")
    parser.add_argument("--check", type=int, metavar="N",
                        help="dry run: report discovery, fetch N sample articles, store nothing")
    parser.add_argument("--report", type=Path, help="with --check: write the report (JSON) here")
    args = parser.parse_args(argv)
    from akhbar.seeds import SeedError
    if args.check is not None:
        try:
            report = check(args.site, args.seeds_dir, args.check, args.since, args.until)
        except SeedError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        args.report.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        return 0
    from akhbar.spiders.store import SiteBusy
    from akhbar.sql import DatabaseError

    try:
        summary = crawl(args.site, args.seeds_dir, args.crawl_run_id, args.since,
                        args.until, args.warc_out)
    except (SeedError, DatabaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SiteBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_SITE_BUSY
    print(SUMMARY_PREFIX + json.dumps(summary), flush=True)
    if summary["database_lost"]:
        print(f"error: the database became unavailable: {summary['database_lost']}",
              file=sys.stderr)
        return EXIT_DATABASE_LOST
    return 0


if __name__ == "__main__":
    sys.exit(main())
