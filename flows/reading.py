"""Commands that read the corpus: export, search, stats, history, and database access."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

from akhbar.flows.export import (
    FORMATS,
    choose_fields,
    write_csv,
    write_jsonl,
    write_parquet,
)
from akhbar.sql import connect, corpus, database_url, migrate, redact


class UsageError(Exception):
    """A mistake in how akhbar was called: a message for the user, exit code 2."""


def _progress(records, label: str):
    """Records passed through a progress bar on a terminal (stderr), untouched otherwise."""
    if not sys.stderr.isatty():
        return records
    from tqdm import tqdm

    return tqdm(records, desc=label, unit=" articles", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:
    try:
        fields = choose_fields(args.fields.split(",") if args.fields else None, args.include_raw,
                               args.versions)
        filters = {"site": args.site, "since": args.since, "until": args.until,
                   "updated_since": args.updated_since, "language": args.language,
                   "include_raw": args.include_raw, "versions": args.versions}
        for key in ("since", "until", "updated_since"):
            corpus.as_moment(filters[key])  # a bad date stops here, before any output
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    fmt = args.format or _format_of(args.output)
    if fmt == "parquet" and not args.output:
        raise UsageError("Parquet needs a file: add -o FILE.parquet")
    if args.output and not args.output.parent.is_dir():
        raise UsageError(f"-o {args.output}: the folder {args.output.parent} does not exist")
    migrate()
    with connect() as conn:
        watermark = corpus.watermark(conn)  # before reading: nothing changed later is missed
        records = _progress(corpus.articles(conn=conn, **filters), "export")
        if fmt == "parquet":
            count = write_parquet(records, fields, str(args.output))
        else:
            target = open(args.output, "w", encoding="utf-8", newline="") if args.output \
                else nullcontext(sys.stdout)
            with target as out:
                count = (write_jsonl if fmt == "jsonl" else write_csv)(records, fields, out)
    where = args.output or "standard output"
    print(f"akhbar: exported {count} articles to {where}; for the next incremental export "
          f"use --updated-since {watermark.isoformat()}", file=sys.stderr)
    return 0


def _format_of(output: Path | None) -> str:
    suffix = output.suffix.lower().lstrip(".") if output else ""
    return {"parquet": "parquet", "pq": "parquet", "csv": "csv"}.get(suffix, "jsonl")


def cmd_search(args: argparse.Namespace) -> int:
    try:
        hits = corpus.search(args.query, site=args.site, since=args.since, until=args.until,
                             limit=args.limit, candidates=args.candidates)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps([{**hit.__dict__, "published_at": hit.published_at and
                           hit.published_at.isoformat()} for hit in hits],
                         ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("no article matches", file=sys.stderr)
    for hit in hits:
        day = hit.published_at.date().isoformat() if hit.published_at else "undated"
        print(f"{hit.rank:6.3f}  {hit.site:14} {day}  {hit.title or '(no title)'}\n"
              f"        {hit.url}\n        {' '.join(hit.snippet.split())}\n")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    rows = corpus.stats(site=args.site)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"{'site':16} {'articles':>8} {'pages':>7} {'rejects':>7} {'clusters':>8} "
          f"{'first':>10} {'last':>10}  last run")
    for row in rows:
        first = row["first_published"].date().isoformat() if row["first_published"] else "—"
        last = row["last_published"].date().isoformat() if row["last_published"] else "—"
        run = (f"{row['last_run_status']} {row['last_run_started']:%Y-%m-%d %H:%M}"
               if row["last_run_status"] else "never")
        print(f"{row['site']:16} {row['articles']:8d} {row['pages']:7d} "
              f"{sum(row['rejects'].values()):7d} {row['clusters']:8d} {first:>10} {last:>10}"
              f"  {run}")
        if row["rejects"]:
            print(" " * 17 + "rejects: " + ", ".join(f"{k} {v}" for k, v in
                                                     sorted(row["rejects"].items())))
        if row["last_run_error"]:
            print(" " * 17 + f"error: {row['last_run_error']}")
    return 0


def word_diff(old: str, new: str) -> str:
    """A word diff: [-removed-] {+added+}."""
    a, b = old.split(), new.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(" ".join(a[i1:i2]))
        if op in ("delete", "replace"):
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(parts)


def cmd_history(args: argparse.Namespace) -> int:
    versions = corpus.history(args.url)
    if versions is None:
        raise UsageError(f"no stored article has the URL {args.url}")
    if args.json:
        print(json.dumps([{**v.__dict__, **{k: getattr(v, k) and getattr(v, k).isoformat()
                                             for k in ("published_at", "modified_at",
                                                       "valid_from", "valid_to")}}
                          for v in versions], ensure_ascii=False, indent=2))
        return 0
    for number, version in enumerate(versions, 1):
        until = version.valid_to.isoformat() if version.valid_to else "now"
        since = version.valid_from.isoformat() if version.valid_from else "?"
        print(f"version {number}: {since} → {until}  (page {version.page_id}, extractor "
              f"{version.extractor_version})\n  title: {version.title}")
        if number > 1:
            previous = versions[number - 2]
            if previous.title != version.title:
                print(f"  title diff: {word_diff(previous.title or '', version.title or '')}")
            print(f"  text diff: {word_diff(previous.text, version.text)}")
        print()
    return 0


def cmd_db_url(args: argparse.Namespace) -> int:
    migrate()
    url = database_url()
    print(url if args.show_password else redact(url))
    if not os.environ.get("AKHBAR_DATABASE_URL"):
        print("akhbar: the embedded server runs while an akhbar process holds it; keep it up "
              "with `akhbar db serve` in another terminal", file=sys.stderr)
    return 0


def cmd_db_serve(args: argparse.Namespace) -> int:
    migrate()
    url = database_url()
    print(f"PostgreSQL is up: {url}\nPress Ctrl-C to stop holding it.", flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_db_shell(args: argparse.Namespace) -> int:
    psql = shutil.which("psql")
    if psql is None:
        raise UsageError("psql is not installed: install the PostgreSQL client (Debian/Ubuntu: "
                         "`sudo apt install postgresql-client`; macOS: `brew install libpq`), "
                         "or connect another client to `akhbar db url`")
    migrate()
    return subprocess.call([psql, database_url()])


def add_commands(add, db_commands) -> None:
    """Register the corpus commands on akhbar's parser."""
    export = add("export", cmd_export, "write stored articles as JSONL, CSV or Parquet")
    export.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="output file (default: standard output; Parquet needs a file)")
    export.add_argument("--format", choices=FORMATS,
                        help="default: from the file's suffix, else jsonl")
    _filters(export)
    export.add_argument("--updated-since", metavar="TIME",
                        help="only articles added or changed after this time (the command "
                             "prints the value to pass next time)")
    export.add_argument("--language", help="only articles in this language, e.g. ar")
    export.add_argument("--fields", metavar="A,B,…",
                        help="columns to write, in this order (default: all but raw_*)")
    export.add_argument("--include-raw", action="store_true",
                        help="add the raw page (raw_html, base64 in JSONL/CSV) and its encoding")
    export.add_argument("--versions", action="store_true",
                        help="add each article's earlier versions (title, text, hashes, "
                             "valid_from/valid_to)")
    search = add("search", cmd_search, "full-text search of the stored articles")
    search.add_argument("query", help='words, "a phrase", -word to exclude, OR')
    _filters(search)
    search.add_argument("--limit", type=positive, default=20, help="default: %(default)s")
    search.add_argument("--candidates", type=positive, default=2000,
                        help="look at the newest N articles holding all the words (default: "
                             "%(default)s; more is slower on a large corpus)")
    search.add_argument("--json", action="store_true", help="print JSON")
    stats = add("stats", cmd_stats, "per-site counts, rejects, clusters and the last run")
    stats.add_argument("--site", action="append", metavar="SITE", help="only this site")
    stats.add_argument("--json", action="store_true", help="print JSON")
    history = add("history", cmd_history, "an article's versions with word diffs")
    history.add_argument("url", help="the article's URL (or canonical URL)")
    history.add_argument("--json", action="store_true", help="print JSON")
    url = db_commands.add_parser("url", help="print the database connection string",
                                 description="print the database connection string")
    url.add_argument("--show-password", action="store_true")
    url.set_defaults(func=cmd_db_url)
    serve = db_commands.add_parser("serve", help="hold the embedded PostgreSQL up until Ctrl-C",
                                   description="hold the embedded PostgreSQL up until Ctrl-C")
    serve.set_defaults(func=cmd_db_serve)
    shell = db_commands.add_parser("shell", help="open psql on the database",
                                   description="open psql on the database")
    shell.set_defaults(func=cmd_db_shell)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", action="append", metavar="SITE",
                        help="only this site (repeatable)")
    parser.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    parser.add_argument("--until", metavar="DATE", help="published before (YYYY-MM-DD)")
