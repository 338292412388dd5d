"""Re-extraction on every core: `reextract` over N stored pages with 1 and with 2+ processes.

    python bench/reextract.py [--pages 5000] [--processes 2] [--rounds 2] [PAGES_DIR]

Stores N pages (by COPY) made from the HTML pages of PAGES_DIR (default: the project's golden
pages, tests/fixtures/golden), each made unique by a paragraph of its own so no two are
duplicates, extracts them once, then runs the real `reextract` flow (Prefect's temporary
API) alternately with one process and with `--processes` processes, `--rounds` times each,
and prints pages/s per run, the ratio of the best runs, and the flow process's peak RSS; then
the extraction pool alone on the same pages (no reads, no loads), with one and with
`--processes` worker processes, which shows how much of the flow is extraction that scales,
and the ceiling of the flow's ratio: the pool alone on every core over the flow with one
process (which already reads and loads on other cores while it extracts).
Every run must leave each page's article as the first run made it (checked). Uses
$AKHBAR_DATABASE_URL or a throwaway embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "golden"
HOST = "bench.akhbar.test"
SEED = f"""
id = "bench"
name = "مقياس"
base_url = "http://{HOST}/"
domains = ["{HOST}"]
sitemaps = ["http://{HOST}/sitemap.xml"]
article_patterns = ['^http://{HOST}/article/\\\\d+/']
timezone = "Asia/Riyadh"
verified = false
"""
WORDS = ("أعلنت", "الحكومة", "اليوم", "عن", "خطة", "جديدة", "لتطوير", "الخدمات", "العامة", "في",
         "المدينة", "وقال", "مسؤول", "إن", "العمل", "سيبدأ", "خلال", "الأسابيع", "المقبلة", "على",
         "مراحل", "وأوضح", "أن", "الطرق", "النقل", "السكان", "المشروع", "الوزارة", "المجلس")


def templates(directory: Path) -> list[bytes]:
    """UTF-8 pages with a <p> to add a paragraph to."""
    found = []
    for path in sorted(directory.glob("*.html")):
        body = path.read_bytes()
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if b"<p>" in body:
            found.append(body)
    if not found:
        raise SystemExit(f"{directory}: no UTF-8 HTML page with a <p> in it")
    return found


def fill(conn, seed, pages: int, bodies: list[bytes]) -> None:
    from akhbar.sql import repository

    rng = random.Random(7)
    repository.register_source(conn, seed)
    now = datetime.now(UTC)
    with conn.cursor().copy("COPY pages (source_id, url, final_url, http_status, encoding, body, "
                            "sha256, fetched_at) FROM STDIN") as copy:
        for n in range(pages):
            unique = " ".join(rng.choice(WORDS) for _ in range(40)) + f" رقم {n}."
            body = bodies[n % len(bodies)].replace(
                b"<p>", b"<p>" + unique.encode() + b"</p><p>", 1)
            url = f"http://{HOST}/article/{n}/"
            copy.write_row(("bench", url, url, 200, "utf-8", body,
                            hashlib.sha256(body).hexdigest(), now))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages_dir", nargs="?", type=Path, default=GOLDEN)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from akhbar import sql
    from akhbar.flows.processes import MIN_PAGES_PER_PROCESS, ExtractionPool
    from akhbar.flows.reextract import reextract
    from akhbar.seeds import load_seed
    from prefect.testing.utilities import prefect_test_harness
    from throwaway import throwaway_database  # bench/throwaway.py

    seeds = tempfile.mkdtemp(prefix="akhbar-bench-seeds-")
    (Path(seeds) / "bench.toml").write_text(SEED, encoding="utf-8")
    content = "SELECT url, title, text, authors, published_at FROM articles ORDER BY url"
    throwaway_database()
    from akhbar.flows.serve import without_heartbeats

    with prefect_test_harness(), without_heartbeats():  # as `akhbar reextract` runs
        sql.migrate()
        with sql.connect() as conn:
            fill(conn, load_seed(Path(seeds) / "bench.toml"), args.pages,
                 templates(args.pages_dir))
        first = time.perf_counter()
        [row] = reextract(site="bench", seeds_dir=seeds, processes=1)
        print(f"first extraction (1 process, every article new): {args.pages} pages in "
              f"{time.perf_counter() - first:.1f} s; {row['new_articles']} new, "
              f"{row['duplicates']} duplicates, {row['rejected']} rejected", flush=True)
        with sql.connect() as conn:
            reference = conn.execute(content).fetchall()
        best: dict[int, float] = {}
        for _ in range(args.rounds):
            for processes in (1, args.processes):
                started = time.perf_counter()
                [row] = reextract(site="bench", seeds_dir=seeds, processes=processes)
                rate = args.pages / (time.perf_counter() - started)
                best[processes] = max(best.get(processes, 0.0), rate)
                with sql.connect() as conn:
                    same = conn.execute(content).fetchall() == reference
                print(f"{processes} process{'es' if processes > 1 else ''}: {rate:7.1f} pages/s "
                      f"({row['unchanged']} unchanged, {row['updated_articles']} updated)"
                      f"{'' if same else '  ARTICLES DIFFER from the first run'}", flush=True)
                if not same:
                    sys.exit(1)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the flows'
        with sql.connect() as conn:
            jobs = [(bytes(row["body"]), row["final_url"], options, row["encoding"])
                    for row in conn.execute("SELECT body, final_url, encoding FROM pages")
                    for options in [load_seed(Path(seeds) / "bench.toml").extract_options()]]
    alone = {}
    for processes in (1, args.processes):  # the extraction pool alone: no reads, no loads
        # (worker processes in both: extracting all N pages in this process, which holds
        # them all, was slower than one worker taking them in parts)
        pool = ExtractionPool(processes, separate=True)
        pool.extract(jobs[:processes * MIN_PAGES_PER_PROCESS])  # processes started
        started = time.perf_counter()
        pool.extract(jobs)
        alone[processes] = len(jobs) / (time.perf_counter() - started)
        pool.close()
    print(f"\nextraction alone (the pool, no database): 1 process {alone[1]:.1f} pages/s, "
          f"{args.processes} processes {alone[args.processes]:.1f} pages/s: "
          f"{alone[args.processes] / alone[1]:.2f}x")
    ratio = best[args.processes] / best[1]
    # The flow with one process already overlaps reading and loading with extraction (on
    # the other cores, with PostgreSQL): the pool alone on every core, over that, is as high
    # as the flow's ratio could go with no reading, loading or orchestration at all.
    print(f"ceiling of the flow's ratio (pool alone with {args.processes} processes over "
          f"reextract with 1): {alone[args.processes] / best[1]:.2f}x")
    print(f"reextract, best runs: 1 process {best[1]:.1f} pages/s, {args.processes} processes "
          f"{best[args.processes]:.1f} pages/s: {ratio:.2f}x on {os.cpu_count()} cores "
          f"(goal 1.7x on 2 cores: {'met' if ratio >= 1.7 else 'NOT met'}); flow process peak "
          f"RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
