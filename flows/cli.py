"""The `akhbar` command."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from akhbar.flows import reading
from akhbar.flows.reading import UsageError
from akhbar.seeds import SeedError, load_seed, load_seeds
from akhbar.sql import DatabaseError, connect, migrate

PREFECT_UI_PORT = 4200
ARTICLE_KEYS = ("url", "title", "subtitle", "authors", "published_at", "modified_at", "section",
                "tags", "language", "text", "text_normalized", "word_count", "agency",
                "lead_image", "canonical_url")


EXIT_OK, EXIT_SITE_FAILED, EXIT_USAGE, EXIT_DEGRADED = 0, 1, 2, 3
EXIT_SIGINT, EXIT_SIGTERM = 130, 143


def cmd_demo(args: argparse.Namespace) -> int:
    from akhbar.flows.demo.run import run_demo
    from akhbar.sql import repository

    migrate()
    state = run_demo()
    rows = _site_rows(state)
    with connect() as conn:
        counts = repository.source_counts(conn, [row["source_id"] for row in rows])
        article = repository.sample_article(conn, "demo")
    print("\nThis run:")
    _print_summaries(rows)
    print("\nStored in the database:")
    for row in counts:
        print(f"  {row['source_id']}: {row['pages']} pages, {row['articles']} articles, "
              f"{row['rejects']} rejects")
    if article:
        print("\nOne stored article:")
        print(f"  {article['title']}\n  {article['url']}")
        print(f"  published {article['published_local']} · {article['word_count']} words"
              + (f" · {', '.join(article['authors'])}" if article["authors"] else ""))
        print(textwrap.indent(article["text"], "  | "))
    return _exit_code(state, rows)


def _site_rows(state) -> list[dict]:
    """The per-site rows a nightly run returned, whether it completed or failed."""
    from akhbar.flows.tasks import RunFailed

    rows = state.result(raise_on_failure=False)
    if isinstance(rows, RunFailed) and isinstance(rows.rows, list):
        return rows.rows
    if isinstance(rows, BaseException) or not isinstance(rows, list):
        raise NoFigures(state.message or str(rows))
    return rows


def _exit_code(state, rows: list[dict]) -> int:
    """0 every site completed; 1 a site failed; 3 none failed but one was degraded."""
    statuses = {row["status"] for row in rows}
    if not state.is_completed() or statuses & {"failed", "aborted"}:
        print(f"akhbar: {state.message}", file=sys.stderr)
        return EXIT_SITE_FAILED
    if "degraded" in statuses:
        print(f"akhbar: {state.message}", file=sys.stderr)
        return EXIT_DEGRADED
    return EXIT_OK


def _print_summaries(rows: list[dict]) -> None:
    columns = ("source_id", "status", "discovered", "fetched", "pages_stored", "new_articles",
               "updated_articles", "unchanged", "duplicates", "rejected", "errors")
    widths = {c: max([len(c)] + [len(str(row.get(c, ""))) for row in rows]) for c in columns}
    print("  " + "  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  " + "  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))
        if row.get("error"):
            print(f"    {row['status']}: {row['error']}")


def cmd_nightly(args: argparse.Namespace) -> int:
    from akhbar.flows.nightly import nightly

    load_seeds(args.seeds_dir, args.site or None)  # bad seeds stop here, before any run starts
    migrate()
    state = nightly(sites=args.site or None, seeds_dir=_location(args),
                    warc_out=str(args.warc_out) if args.warc_out else None, return_state=True)
    rows = _site_rows(state)
    _print_summaries(rows)
    return _exit_code(state, rows)


def cmd_backfill(args: argparse.Namespace) -> int:
    from akhbar.flows.backfill import backfill, plan_chunks
    from akhbar.sql import repository

    seed = load_seeds(args.seeds_dir, [args.site])[0]
    try:
        chunks = plan_chunks(args.since, args.until, args.chunk)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    migrate()
    with connect() as conn:
        done_before = len(repository.done_chunks(conn, seed.id) & set(chunks))
    with chunk_progress(seed.id, chunks):
        state = backfill(site=args.site, since=args.since, until=args.until, chunk=args.chunk,
                         seeds_dir=_location(args), proxy=_proxy(args.proxy),
                         warc_out=str(args.warc_out) if args.warc_out else None,
                         return_state=True)
    runs = _site_rows(state)
    print(f"{seed.id}: {len(chunks)} chunks, {done_before} already done before, "
          f"{len(runs)} done in this run; "
          f"{sum(r['fetched'] for r in runs)} pages fetched, "
          f"{sum(r['new_articles'] for r in runs)} new articles")
    if not state.is_completed():
        print(f"akhbar: {state.message}", file=sys.stderr)
        return EXIT_SITE_FAILED
    return EXIT_OK


@contextmanager
def chunk_progress(site_id: str, chunks: list) -> Iterator[None]:
    """A terminal progress bar fed by the chunks PostgreSQL records as done."""
    from tqdm import tqdm

    planned = set(chunks)
    stop = threading.Event()
    bar = tqdm(total=len(chunks), unit="chunk", desc=f"backfill {site_id}", disable=None)

    from akhbar.sql import repository

    def follow() -> None:
        while not stop.wait(1.0):
            with connect() as conn:
                done = len(repository.done_chunks(conn, site_id) & planned)
            bar.update(done - bar.n)

    watcher = threading.Thread(target=follow, daemon=True)
    watcher.start()
    try:
        yield
        bar.update(len(chunks) - bar.n)
    finally:
        stop.set()
        watcher.join(timeout=5)
        bar.close()


def cmd_import_warc(args: argparse.Namespace) -> int:
    from akhbar.flows.import_warc import import_warc

    load_seeds(args.seeds_dir)
    for location in args.locations:
        if not location.startswith(("http://", "https://")) and not Path(location).is_file():
            raise UsageError(f"{location}: no such file")
    migrate()
    summaries = import_warc(paths=args.locations, all_arabic=args.all_arabic,
                            seeds_dir=_location(args), proxy=_proxy(args.proxy))
    _print_summaries(summaries)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from akhbar.flows.evaluate import run_eval

    try:
        print(run_eval(args.corpus, args.seeds_dir, others=not args.akhbar_only))
    except (FileNotFoundError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from akhbar.flows.reextract import reextract

    load_seeds(args.seeds_dir, [args.site] if args.site else None, catalog=True)
    migrate()
    _print_summaries(reextract(site=args.site, since=args.since, seeds_dir=_location(args),
                               processes=args.processes))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from akhbar.extract import Reject, extract_article
    from akhbar.extract.model import MAX_PAGE_BYTES, ExtractOptions

    path: Path = args.file
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:  # refused unread, as the crawler refuses to download it
            raise UsageError(f"{path}: {size} bytes, over the page limit of {MAX_PAGE_BYTES} "
                             f"bytes ({MAX_PAGE_BYTES >> 20} MB) the crawler also applies; "
                             f"not extracted")
        html = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    options = ExtractOptions()
    if args.site:
        options = load_seeds(args.seeds_dir, [args.site], catalog=True)[0].extract_options()
    if args.timezone:
        try:
            ZoneInfo(args.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"--timezone: unknown timezone {args.timezone!r} (use an IANA "
                             "name such as Asia/Amman)") from None
        options = dataclasses.replace(options, timezone=args.timezone)
    result = extract_article(html, args.url or path.resolve().as_uri(), options)
    if isinstance(result, Reject):
        # Same keys, empty, so scripts reading the output need no special case.
        empty = {key: [] if key in ("authors", "tags") else None for key in ARTICLE_KEYS}
        print(json.dumps(empty | {"url": args.url, "text": "", "text_normalized": "",
                                  "word_count": 0,
                                  "rejected": {"reason": result.reason, "detail": result.detail}},
                         ensure_ascii=False, indent=2))
        print(f"akhbar: {path}: no article ({result.reason}: {result.detail})", file=sys.stderr)
        return 0
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    return 0


def cmd_db_migrate(args: argparse.Namespace) -> int:
    applied = migrate()
    print("applied: " + ", ".join(applied) if applied else "the schema is up to date")
    return 0


def _location(args: argparse.Namespace) -> str | None:
    """--seeds-dir as a flow parameter (None: the flow's own default folder)."""
    return str(args.seeds_dir) if args.seeds_dir else None


def cmd_seeds(args: argparse.Namespace) -> int:
    from akhbar.seeds import CATALOG_DIR
    from akhbar.seeds.settings import default_seeds_dir

    folder = CATALOG_DIR if args.catalog else args.seeds_dir or default_seeds_dir()
    if not args.files:
        print(f"seeds folder: {folder}" + (" (the packaged catalogue, read-only)"
                                            if args.catalog else ""))
    if not args.files and not any(folder.glob("*.toml")):
        print("  no seed files yet: `akhbar sites add URL` drafts one, `akhbar sites add "
              "--from-catalog ID` copies a packaged one (`akhbar seeds --catalog` lists them)")
        return EXIT_OK
    seeds = [load_seed(p) for p in args.files] if args.files else load_seeds(folder)
    for seed in seeds:
        state = "enabled" if seed.enabled else "disabled"
        checked = "verified" if seed.verified else "not verified"
        print(f"{seed.id:20} {state:9} {checked:13} {seed.name} <{seed.base_url}>")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from akhbar.flows.serve import serve_deployments
    from akhbar.seeds.settings import get_settings

    migrate()
    settings = get_settings()
    serve_deployments(cron=args.cron or settings.nightly_cron,
                      timezone=args.timezone or settings.timezone)
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from akhbar.flows.serve import deploy_to_pool, use_local_server_if_running

    if not use_local_server_if_running():
        raise UsageError("no Prefect server: start one (`akhbar ui` or `prefect server start`) "
                         "or set PREFECT_API_URL, then deploy again")
    from akhbar.seeds.settings import get_settings

    migrate()
    deploy_to_pool(args.pool, args.cron, args.timezone or get_settings().timezone)
    print(f"deployed site-run/akhbar-site and nightly/akhbar-nightly-{args.pool} to work pool "
          f"{args.pool}; start workers with: prefect worker start --pool {args.pool}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from akhbar.flows.serve import run_prefect_server

    return run_prefect_server(args.host, args.port)


def _proxy(proxy: str | None) -> str | None:
    """--proxy goes to the crawls through the environment ($AKHBAR_PROXY), never as a flow
    parameter, so its credentials are not stored in Prefect."""
    if proxy:
        from akhbar.seeds.settings import get_settings

        os.environ["AKHBAR_PROXY"] = proxy
        get_settings.cache_clear()
    return None


class NoFigures(Exception):
    """A flow run that ended without a result to show."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (systemd, `docker stop`): stop as for Ctrl-C."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("akhbar")
    except PackageNotFoundError:
        return "unknown (not installed)"


SEEDS_HELP = ("folder of seed files, or one seed file (default: $AKHBAR_SEEDS_DIR, else "
              "seeds/ in your config folder; `akhbar seeds` prints it)")


def cmd_sites_add(args: argparse.Namespace) -> int:
    from akhbar.flows.sites_add import (
        copy_from_catalog,
        default_folder,
        draft_site,
        write_draft,
    )

    folder = default_folder(args.seeds_dir)
    if args.from_catalog:
        path = copy_from_catalog(args.from_catalog, folder, args.force)
        print(f"copied the catalogue's {args.from_catalog} to {path}\n"
              f"next: akhbar sites check {args.from_catalog}")
        return EXIT_OK
    if not args.url:
        raise UsageError("sites add: give the site's URL, or --from-catalog ID")
    url = args.url if "://" in args.url else f"https://{args.url}"
    draft = draft_site(url, args.site_id, args.proxy)
    path = write_draft(draft, url, folder, args.force)
    print(f"wrote {path}")
    print(f"  feeds: {len(draft.feeds)}, sitemaps: {len(draft.sitemaps)}, article patterns: "
          f"{len(draft.article_patterns)}, language {draft.language}, timezone {draft.timezone}")
    for line in draft.undecided:
        print(f"  could not decide: {line}")
    if path.suffix == ".draft":
        print(f"akhbar: the draft is not a valid seed yet: fix it, then rename it to "
              f"{draft.id}.toml", file=sys.stderr)
        return EXIT_SITE_FAILED
    print(f"next: akhbar sites check {draft.id}")
    return EXIT_OK


def cmd_sites_check(args: argparse.Namespace) -> int:
    from akhbar.flows.sites_add import SiteError
    from akhbar.flows.sites_check import (
        check_site,
        offline_problems,
        print_report,
        record_check,
        seeds_to_check,
    )

    if bool(args.since) != bool(args.until):
        raise UsageError("sites check: --since and --until go together (a backfill window)")
    if not args.offline and not args.sites:
        raise UsageError("sites check: name the site(s) to check (ids or seed files), or use "
                         "--offline to check every seed's structure")
    seeds = seeds_to_check(args.sites, args.seeds_dir, args.catalog)
    if args.offline:
        found = {seed.id: offline_problems(seed) for seed in seeds}
        if args.json:
            print(json.dumps({"ok": not any(found.values()), "seeds": found},
                             ensure_ascii=False, indent=2))
        else:
            for site, problems in found.items():
                print(f"{site}: " + ("ok" if not problems else "; ".join(problems)))
        return EXIT_OK if not any(found.values()) else EXIT_SITE_FAILED
    reports = {}
    for seed in seeds:
        try:
            reports[seed.id] = check_site(seed, args.samples, args.proxy, args.since,
                                          args.until)
        except SiteError as exc:
            raise UsageError(str(exc)) from None
        if args.record:
            record_check(seed, reports[seed.id])
        if not args.json:
            print_report(seed, reports[seed.id])
    if args.json:
        print(json.dumps(reports if len(reports) > 1 else next(iter(reports.values())),
                         ensure_ascii=False, indent=2))
    return EXIT_OK if all(r["ok"] for r in reports.values()) else EXIT_SITE_FAILED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="akhbar",
        description="Keep a PostgreSQL corpus of Arabic news articles up to date.",
        epilog=f"Database: ${'AKHBAR_DATABASE_URL'} or an embedded PostgreSQL under "
               f"$AKHBAR_DATA_DIR (default: your user data directory).",
    )
    parser.add_argument("--version", action="version", version=f"akhbar {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(func=func)
        return sub

    add("demo", cmd_demo, "serve a bundled sample news site locally and run the nightly flow on it")
    nightly = add("nightly", cmd_nightly, "crawl, extract and load every enabled site now")
    nightly.add_argument("--site", action="append", metavar="SITE",
                         help="only this site: an id or a seed file (repeatable)")
    nightly.add_argument("--seeds-dir", type=Path, default=None, help=SEEDS_HELP)
    nightly.add_argument("--warc-out", type=Path, metavar="DIR",
                         help="also write every fetched response to WARC files in DIR")
    backfill = add("backfill", cmd_backfill,
                   "crawl a site's archive between two dates, resumably, chunk by chunk")
    backfill.add_argument("site", help="site id (seed file name without .toml) or seed file")
    backfill.add_argument("--since", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    backfill.add_argument("--until", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    backfill.add_argument("--chunk", choices=("day", "month"), default="month",
                          help="unit of work recorded as done (default: %(default)s)")
    backfill.add_argument("--seeds-dir", type=Path, default=None, help=SEEDS_HELP)
    backfill.add_argument("--warc-out", type=Path, metavar="DIR",
                          help="also write every fetched response to WARC files in DIR")
    backfill.add_argument("--proxy", metavar="URL",
                          help="HTTP proxy for the crawl (default: $AKHBAR_PROXY)")
    warc = add("import-warc", cmd_import_warc,
               "load article pages from WARC files or URLs (e.g. Common Crawl CC-NEWS)")
    warc.add_argument("locations", nargs="+", metavar="FILE|URL")
    warc.add_argument("--all-arabic", action="store_true",
                      help="also load Arabic-script pages of sites that have no seed")
    warc.add_argument("--seeds-dir", type=Path, default=None, help=SEEDS_HELP)
    warc.add_argument("--proxy", metavar="URL",
                      help="HTTP proxy for WARC downloads (default: $AKHBAR_PROXY)")
    reextract = add("reextract", cmd_reextract,
                    "re-extract stored pages with the current extractor (no network)")
    reextract.add_argument("--site", help="only this site: an id or a seed file (a site not "
                           "in the seeds folder is looked up in the catalogue)")
    reextract.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                           help="only pages fetched since this day")
    reextract.add_argument("--processes", type=reading.positive, metavar="N",
                           help="extraction processes (default: $AKHBAR_EXTRACT_PROCESSES, "
                                "else one per usable core)")
    reextract.add_argument("--seeds-dir", type=Path, default=None, help=SEEDS_HELP)
    extract = add("extract", cmd_extract, "print the article extracted from an HTML file as JSON")
    extract.add_argument("file", type=Path, metavar="FILE.html")
    extract.add_argument("--url", help="the page's URL (for relative links and metadata)")
    extract.add_argument("--site", help="apply this site's seed (timezone, selectors)")
    extract.add_argument("--timezone", help="the site's IANA timezone, e.g. Asia/Amman (default: "
                         "the seed's with --site; else dates keep the offset the page gives, "
                         "and times without one are UTC)")
    extract.add_argument("--seeds-dir", type=Path, default=None, help=argparse.SUPPRESS)
    evaluate = add("eval", cmd_eval,
                   "score akhbar and other extractors on annotated pages (P/R/F1, leaks, title, "
                   "date, ms)")
    evaluate.add_argument("corpus", type=Path, metavar="CORPUS_DIR",
                          help="folder with pages/<id>.html and annot/<id>.json")
    evaluate.add_argument("--akhbar-only", action="store_true",
                          help="skip trafilatura, readability-lxml and jusText")
    evaluate.add_argument("--seeds-dir", type=Path, default=None, help=argparse.SUPPRESS)
    db = add("db", lambda a: db.print_help() or 2, "database commands (see `akhbar db --help`)")
    db_commands = db.add_subparsers(dest="db_command", metavar="DB_COMMAND")
    migrate_cmd = db_commands.add_parser("migrate", help="apply pending SQL migrations",
                                         description="apply pending SQL migrations")
    migrate_cmd.set_defaults(func=cmd_db_migrate)
    reading.add_commands(add, db_commands)
    seeds = add("seeds", cmd_seeds, "validate seed files and list the sites")
    seeds.add_argument("files", nargs="*", type=Path, metavar="FILE.toml")
    seeds.add_argument("--catalog", action="store_true",
                       help="list the packaged catalogue instead of your seeds folder")
    sites = add("sites", lambda a: sites.print_help() or 2,
                "add a site (`sites add URL`) and check its seed (`sites check ID`)")
    site_commands = sites.add_subparsers(dest="sites_command", metavar="SITES_COMMAND")
    add_site = site_commands.add_parser(
        "add", help="draft a seed from a site's home page, robots.txt, feeds and sitemaps",
        description="Fetch the home page and robots.txt, find feeds and sitemaps, infer the "
                    "article URL pattern, language and timezone, and write a commented seed "
                    "to the seeds folder, saying what could not be decided.")
    add_site.add_argument("url", nargs="?", metavar="URL", help="the site's home page")
    add_site.add_argument("--id", dest="site_id", help="site id (default: from the host)")
    add_site.add_argument("--from-catalog", metavar="ID",
                          help="copy a packaged seed instead (`akhbar seeds --catalog`)")
    add_site.add_argument("--force", action="store_true", help="replace an existing seed file")
    add_site.add_argument("--proxy", metavar="URL", help="HTTP proxy (default: $AKHBAR_PROXY)")
    add_site.add_argument("--seeds-dir", type=Path, default=None, help=SEEDS_HELP)
    add_site.set_defaults(func=cmd_sites_add)
    check = site_commands.add_parser(
        "check", help="dry run: what discovery finds and what sample articles extract to",
        description="Read the site's feeds, sitemaps and archives as a nightly run would, "
                    "fetch a few sample articles and show what extraction gives; nothing is "
                    "written to the database. Exit 0 when nothing is wrong, 1 otherwise.")
    check.add_argument("sites", nargs="*", metavar="SITE",
                       help="site ids or seed files (--offline: default every seed)")
    check.add_argument("--samples", type=reading.positive, default=5,
                       help="sample articles to fetch (default: %(default)s)")
    check.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                       help="check as a backfill of this window would read the site "
                            "(with --until; default: as a nightly run)")
    check.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD")
    check.add_argument("--offline", action="store_true",
                       help="check the seeds' own structure only (no network)")
    check.add_argument("--catalog", action="store_true", help="the packaged catalogue's seeds")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--record", action="store_true",
                       help="write the date and a summary of the check into the seed file")
    check.add_argument("--proxy", metavar="URL", help="HTTP proxy (default: $AKHBAR_PROXY)")
    check.add_argument("--seeds-dir", type=Path, default=None, help=SEEDS_HELP)
    check.set_defaults(func=cmd_sites_check)
    seeds.add_argument("--seeds-dir", type=Path, default=None, help=SEEDS_HELP)
    serve = add("serve", cmd_serve,
                "serve the deployments: nightly on its cron schedule, the others on demand")
    serve.add_argument("--cron", default=None,
                       help="cron schedule of the nightly run (default: $AKHBAR_NIGHTLY_CRON "
                            "or 0 2 * * *)")
    serve.add_argument("--timezone", default=None,
                       help="timezone of the schedule (default: $AKHBAR_TIMEZONE or UTC)")
    deploy = add("deploy", cmd_deploy,
                 "deploy the nightly and per-site flows to a process work pool for workers")
    deploy.add_argument("--pool", default="akhbar", help="work pool name (default: %(default)s)")
    deploy.add_argument("--cron", default=None, help="schedule the pool's nightly (cron)")
    deploy.add_argument("--timezone", default=None,
                        help="timezone of the schedule (default: $AKHBAR_TIMEZONE or UTC)")
    ui = add("ui", cmd_ui, "start the Prefect server and print the UI address")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=PREFECT_UI_PORT)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Prefect's telemetry heartbeat contends for the temporary server's SQLite database.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        return _run(args)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _loaded_errors() -> tuple[type[Exception], ...]:
    """Error classes of modules a command imported (one never imported raised nothing), so
    commands that do not crawl do not import Scrapy just to name its errors."""
    warc = sys.modules.get("akhbar.spiders.warc")
    return (warc.WarcError,) if warc else ()


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command in ("demo", "nightly", "backfill", "import-warc", "reextract"):
            from akhbar.flows.serve import prefect_api

            with prefect_api():
                return args.func(args)
        return args.func(args)
    except (SeedError, DatabaseError, UsageError, *_loaded_errors()) as exc:
        print(f"akhbar: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        if "akhbar.flows.tasks" in sys.modules:
            sys.modules["akhbar.flows.tasks"].stop_crawls()
        print("akhbar: interrupted; nothing lost — run again to continue", file=sys.stderr)
        return EXIT_SIGTERM if isinstance(exc, Terminated) else EXIT_SIGINT
    except Exception as exc:  # a failed flow run: Prefect has logged the details already
        if type(exc).__module__.startswith(("prefect", "akhbar")) or isinstance(
                exc, RuntimeError | NoFigures):
            print(f"akhbar: error: {exc}", file=sys.stderr)
            return EXIT_SITE_FAILED
        raise


if __name__ == "__main__":
    sys.exit(main())
