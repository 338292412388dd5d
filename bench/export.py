"""`akhbar export` throughput and memory, `akhbar search` latency, over synthetic articles.

    python bench/export.py [--articles 100000] [--queries 50] [--database-url URL]

COPYs Arabic articles (300-800 words of a Zipf-distributed root-and-pattern vocabulary) into a
throwaway embedded PostgreSQL ($AKHBAR_DATABASE_URL is ignored; with --database-url, into a new
database `akhbar_bench_<pid>` there, dropped at the end), runs the real `akhbar export` in child
processes (wall time, peak RSS from wait4) and times `corpus.search()` in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import psycopg
import pyarrow.parquet as pq
from akhbar import sql
from akhbar.extract.arabic import count_words, normalize_for_search
from akhbar.sql import corpus
from akhbar.sql.embedded import EMBEDDED_DATABASE, join
from psycopg.conninfo import make_conninfo

GOAL_ROWS_S, GOAL_RSS_MIB, GOAL_P95_MS = 5000, 300, 200
MIB = 1024 * 1024
ROOT_LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"
PATTERNS = ("{0}{1}{2}", "{0}ا{1}{2}", "م{0}{1}و{2}", "{0}{1}ي{2}", "{0}{1}ا{2}", "ت{0}{1}ي{2}",
            "م{0}{1}{2}ة", "{0}{1}{2}ة", "است{0}{1}ا{2}", "إ{0}{1}ا{2}", "أ{0}{1}{2}", "{0}{1}ّ{2}",
            "{0}{1}{2}ى", "{0}{1}{2}ات", "م{0}{1}{2}ين", "م{0}ا{1}{2}", "ا{0}ت{1}ا{2}")
PREFIXES = ("", "", "", "ال", "ال", "و", "وال", "ب", "بال", "ل", "لل", "ف")
FUNCTION_WORDS = ("في", "من", "إلى", "على", "أن", "عن", "مع", "هذا", "هذه", "التي", "الذي",
                  "قال", "وقد", "كما", "بعد", "قبل", "بين", "حول", "خلال", "إن", "كان", "لم")
NAMES = ("محمد علي", "أحمد حسن", "فاطمة الزهراء", "خالد يوسف", "مريم سعيد", "ليلى عمر")
SECTIONS = ("سياسة", "اقتصاد", "رياضة", "ثقافة", "دولي", "محليات", None)
SITES = ("bench-a", "bench-b", "bench-c")
PAGE_COLS = "id, source_id, url, final_url, http_status, encoding, body, sha256, fetched_at"
ARTICLE_COLS = ("id, source_id, url, canonical_url, title, subtitle, authors, published_at, "
                "modified_at, section, tags, agency, language, text, text_normalized, word_count, "
                "content_hash, extractor_version, extracted_at, changed_at, page_id, lead_image")


class Words:
    """A vocabulary in written and search form, with Zipf (1/rank) sampling."""

    def __init__(self, rng: random.Random, size: int) -> None:
        found = dict.fromkeys(FUNCTION_WORDS)
        while len(found) < size:
            root = rng.sample(ROOT_LETTERS, 3)
            found[rng.choice(PREFIXES) + rng.choice(PATTERNS).format(*root)] = None
        self.text = list(found)
        self.norm = [normalize_for_search(word) for word in self.text]
        self.cum = list(itertools.accumulate(1 / rank for rank in range(1, size + 1)))

    def draw(self, rng: random.Random, k: int) -> list[int]:
        return rng.choices(range(len(self.text)), cum_weights=self.cum, k=k)


def render(words: list[str], plan: list[list[list[int]]], comma: str) -> str:
    def sentence(ids: list[int]) -> str:
        half = len(ids) // 2 if len(ids) >= 6 else 0
        head = " ".join(words[i] for i in ids[:half])
        return (head + comma + " " if head else "") + " ".join(words[i] for i in ids[half:]) + "."
    return "\n".join(" ".join(sentence(s) for s in para) for para in plan)


def meta(i: int) -> tuple[str, str, datetime, datetime]:
    """An article's site, URL, publication (2015-2024) and extraction times; its page's too."""
    rng, site = random.Random(-i), SITES[i % len(SITES)]
    published = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(315_360_000))
    extracted = published + timedelta(hours=rng.randint(1, 48))
    return site, f"https://{site}.example/{published:%Y/%m/%d}/{i}", published, extracted


def page(i: int) -> tuple:  # a small body: raw pages are not exported (no --include-raw)
    site, url, _, fetched = meta(i)
    body = f"<html><body><h1>{i}</h1></body></html>".encode()
    return i, site, url, url, 200, "utf-8", body, hashlib.sha256(body).hexdigest(), fetched


def article(rng: random.Random, words: Words, i: int) -> tuple[tuple, list[int]]:
    """One article row and its word ids."""
    ids, cuts = words.draw(rng, rng.randint(300, 800)), [0]
    while cuts[-1] < len(ids):  # sentences of 8-20 words, paragraphs of 4 sentences
        cuts.append(cuts[-1] + rng.randint(8, 20))
    plan = [[ids[a:b] for a, b in zip(cuts[j:j + 4], cuts[j + 1:j + 5], strict=False)]
            for j in range(0, len(cuts) - 1, 4)]
    text, norm = render(words.text, plan, "،"), render(words.norm, plan, ",")
    site, url, published, extracted = meta(i)
    title = " ".join(words.text[w] for w in words.draw(rng, rng.randint(6, 12)))
    return (i, site, url, url, title, title if i % 2 else None, rng.sample(NAMES, i % 3),
            published, extracted if i % 5 == 0 else None, rng.choice(SECTIONS),
            [words.text[w] for w in words.draw(rng, i % 6)], "واس" if i % 7 == 0 else None, "ar",
            text, norm, len(ids), hashlib.sha256(norm.encode()).hexdigest(), "bench-1", extracted,
            extracted, i, f"https://{site}.example/img/{i}.jpg"), ids


def fill(conn: psycopg.Connection, n: int, words: Words) -> tuple[list[str], float]:
    """COPY n articles; return word bigrams of some (for phrase queries) and generation time."""
    rng, bigrams, generating = random.Random(7), [], 0.0
    with conn.transaction(), conn.cursor() as cur:
        for site in SITES:
            cur.execute("INSERT INTO sources (id, name, base_url) VALUES (%s, %s, %s)",
                        (site, site, f"https://{site}.example/"))
        with cur.copy(f"COPY pages ({PAGE_COLS}) FROM STDIN") as copy:
            for i in range(1, n + 1):
                copy.write_row(page(i))
        with cur.copy(f"COPY articles ({ARTICLE_COLS}) FROM STDIN") as copy:
            for i in range(1, n + 1):
                started = time.perf_counter()
                row, ids = article(rng, words, i)
                generating += time.perf_counter() - started
                if i <= 50:  # the cheaply built search form must be the real one
                    assert normalize_for_search(row[13]) == row[14], row[13][:200]
                    assert count_words(row[13]) == row[15]
                if i % max(1, n // 200) == 0:
                    at = rng.randrange(len(ids) - 1)
                    bigrams.append(f"{words.text[ids[at]]} {words.text[ids[at + 1]]}")
                copy.write_row(row)
        for table in ("pages", "articles"):
            cur.execute(f"SELECT setval('{table}_id_seq', %s)", (n,))
    return bigrams, generating


def run_cli(args: list[str], out: Path) -> tuple[float, float, list[float]]:
    """`akhbar ARGS` in a child (stdout to `out`): wall s, peak RSS MiB (wait4), RSS samples."""
    samples: list[float] = []
    started = time.perf_counter()
    with open(out, "wb") as stdout, tempfile.TemporaryFile() as stderr:
        child = subprocess.Popen([sys.executable, "-m", "akhbar.flows.cli", *args],
                                 stdout=stdout, stderr=stderr)

        def sample() -> None:  # every 0.1 s until the child is reaped
            with contextlib.suppress(psutil.Error):
                while child.returncode is None:
                    samples.append(psutil.Process(child.pid).memory_info().rss / MIB)
                    time.sleep(0.1)

        threading.Thread(target=sample, daemon=True).start()
        _, status, usage = os.wait4(child.pid, 0)
        wall, child.returncode = time.perf_counter() - started, os.waitstatus_to_exitcode(status)
        if child.returncode:
            stderr.seek(0)
            sys.exit(f"akhbar {' '.join(args)} failed:\n{stderr.read().decode()[-3000:]}")
    return wall, usage.ru_maxrss / 1024, samples  # ru_maxrss is in KiB on Linux


def count_rows(path: Path) -> int:
    if path.suffix == ".parquet":
        return pq.read_metadata(path).num_rows
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))


def p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]


def search_rows(conn: psycopg.Connection, words: Words, bigrams: list[str], n: int,
                work: Path) -> list[tuple]:
    """Time corpus.search() for n queries: single words, two words (AND), quoted phrases."""
    rng = random.Random(3)
    word = lambda: rng.choice(words.text[len(FUNCTION_WORDS):])  # noqa: E731
    kinds = {"word": word, "two words": lambda: f"{word()} {word()}",
             "phrase": lambda: f'"{rng.choice(bigrams)}"'}
    asked = [(kind, make()) for _ in range(n // 3 + 1) for kind, make in kinds.items()][:n]
    corpus.search(asked[0][1], conn=conn)  # warm-up (camel-tools import), not counted
    timed: list[tuple[float, str, str, int]] = []
    for kind, text in asked:
        started = time.perf_counter()
        hits = len(corpus.search(text, limit=20, conn=conn))
        timed.append(((time.perf_counter() - started) * 1000, kind, text, hits))
    ms = sorted(t[0] for t in timed)
    worst = max(timed)
    print(f"search: {len(ms)} queries; slowest {worst[0]:.0f} ms: {worst[2]} ({worst[1]}); "
          f"{sum(1 for t in timed if not t[3])} without hits")
    rows = [(f"search p95 {k} (×{sum(1 for t in timed if t[1] == k)})",
             f"{p95([t[0] for t in timed if t[1] == k]):.0f} ms", "", "") for k in kinds]
    wall, _, _ = run_cli(["search", asked[0][1], "--json"], work / "hits.json")
    return [("search p50 / max", f"{statistics.median(ms):.0f} / {ms[-1]:.0f} ms", "", ""),
            *rows, ("search p95 (in-process)", f"{p95(ms):.0f} ms", f"< {GOAL_P95_MS} ms",
                    p95(ms) < GOAL_P95_MS),
            ("`akhbar search` CLI end to end", f"{wall * 1000:.0f} ms", "", "")]


def bench(args: argparse.Namespace, url: str, work: Path) -> list[tuple]:
    words = Words(random.Random(1), args.vocabulary)
    sql.migrate(url)
    with sql.connect(url, autocommit=True) as conn:  # also holds the embedded server up
        started = time.perf_counter()
        bigrams, generating = fill(conn, args.articles, words)
        copied = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE pages, articles")
        size = conn.execute("SELECT pg_total_relation_size('articles') AS s").fetchone()["s"]
        print(f"fill: {args.articles} articles by COPY in {copied:.1f} s (Python generating "
              f"{generating:.1f} s), VACUUM ANALYZE {time.perf_counter() - started - copied:.1f}"
              f" s; articles table with indexes {size / MIB:.0f} MiB")
        rows: list[tuple] = [("fill (COPY + VACUUM ANALYZE)",
                              f"{time.perf_counter() - started:.1f} s", "", "")]
        wall, peak, _ = run_cli(["export", "--site", "none", "-o", str(work / "0.jsonl")],
                                work / "stdout")
        rows.append(("`akhbar export` of 0 rows", f"{wall:.1f} s {peak:.0f} MiB", "", ""))
        for fmt in ("jsonl", "parquet"):
            path = work / f"articles.{fmt}"
            wall, peak, rss = run_cli(["export", "-o", str(path)], work / "stdout")
            count, size = count_rows(path), path.stat().st_size / MIB
            path.unlink()
            assert count == args.articles, (fmt, count)
            print(f"export {fmt}: {count} rows in {wall:.1f} s, {size:.0f} MiB; RSS at 25% / 50%"
                  f" / 90% of the run " + " / ".join(
                      f"{rss[int(len(rss) * q)]:.0f}" for q in (.25, .5, .9)) + " MiB")
            rows += [(f"export {fmt} rows/s", f"{count / wall:,.0f}", f"≥ {GOAL_ROWS_S:,}",
                      count / wall >= GOAL_ROWS_S),
                     (f"export {fmt} peak RSS", f"{peak:.0f} MiB", f"< {GOAL_RSS_MIB} MiB",
                      peak < GOAL_RSS_MIB)]
        return rows + search_rows(conn, words, bigrams, args.queries, work)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--vocabulary", type=int, default=5000, help="distinct words")
    parser.add_argument("--database-url", help="a server to make a scratch database on "
                        "(default: a temporary embedded PostgreSQL)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="akhbar-bench-export-") as tmp:
        server, admin, name = None, args.database_url, f"akhbar_bench_{os.getpid()}"
        if admin:  # CREATE fails if the name is taken: no existing database is used
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name}")
            url = os.environ[sql.DATABASE_URL_ENV] = make_conninfo(admin, dbname=name)
        else:  # the CLI children join this server through AKHBAR_DATA_DIR
            os.environ.pop(sql.DATABASE_URL_ENV, None)
            os.environ[sql.DATA_DIR_ENV] = str(Path(tmp) / "data")
            server = join(Path(tmp) / "data" / "pgdata", EMBEDDED_DATABASE)
            url = server.url(EMBEDDED_DATABASE)
        print(f"database: {sql.redact(url)}")
        try:
            rows = bench(args, url, Path(tmp))
        finally:
            if server:
                server.leave()  # the last user: stops it
            else:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(f"\n{'measure':34} {'figure':>16}  {'goal':12} met")
    for label, figure, goal, met in rows:
        print(f"{label:34} {figure:>16}  {goal:12} {'' if met == '' else 'yes' if met else 'NO'}")
    left = subprocess.run(["pgrep", "-af", "postgres"], capture_output=True, text=True).stdout
    ours = [line for line in left.splitlines() if server and str(server.socket_dir) in line]
    print(f"\npostgres processes left by this run: {len(ours)} (others on this machine: "
          f"{len(left.splitlines()) - len(ours)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
