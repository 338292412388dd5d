"""Crawl benchmark: N article pages from a loopback site, politeness off, against `scrapy bench`.

    python bench/crawl.py [--pages 5000]

Prints pages/s stored, peak RSS and RSS at 10 % and 100 % of the pages for akhbar's crawl
process, and, measured in the same run on the same machine, the pages/s of `scrapy bench` as the
baseline. Uses $AKHBAR_DATABASE_URL or a throwaway embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime

import psutil
import psycopg
from akhbar import sql
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import DemoArticle, Response, render_article
from akhbar.seeds import load_seed
from akhbar.sql import repository
from throwaway import throwaway_database  # bench/throwaway.py, next to this script

HOST = "bench.akhbar.test"
PER_SITEMAP = 1000
SENTENCES = (
    "أعلنت الجهات المختصة اليوم عن خطة جديدة لتطوير الخدمات العامة في المدينة",
    "وقال مسؤول في البلدية إن العمل سيبدأ خلال الأسابيع المقبلة على مراحل متتالية",
    "وأوضح أن الخطة تشمل تحسين الطرق وتوسيع شبكة النقل العام وزيادة المساحات الخضراء",
    "ورحب عدد من السكان بالخطوة معربين عن أملهم في أن تنعكس سريعا على حياتهم اليومية",
)
SEED = f"""
id = "bench"
name = "مقياس"
base_url = "http://{HOST}/"
domains = ["{HOST}"]
verified = true
sitemaps = ["http://{HOST}/sitemap.xml"]
article_patterns = ['^http://{HOST}/article/\\d+/']

[politeness]
concurrent_requests = 16
download_delay = 0
autothrottle = false
obey_robots_txt = false
"""


class BenchPages:
    """Pages of the benchmark site, rendered when asked for (a real site's size in memory)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.today = datetime.now(UTC).date().isoformat()

    def get(self, path: str, default: Response) -> Response:
        base = f"http://{HOST}"
        if path == "/sitemap.xml":
            children = "".join(f"<sitemap><loc>{base}/sitemap-{i}.xml</loc></sitemap>"
                               for i in range(0, self.count, PER_SITEMAP))
            return Response(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                            f"{children}</sitemapindex>".encode(), "application/xml")
        match = re.fullmatch(r"/sitemap-(\d+)\.xml", path)
        if match:
            start = int(match[1])
            # Dated, as a news site's sitemap is: a nightly follows at most 200 undated URLs.
            urls = "".join(f"<url><loc>{base}/article/{n}/x/</loc><lastmod>{self.today}"
                           f"</lastmod></url>"
                           for n in range(start, min(start + PER_SITEMAP, self.count)))
            return Response(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                            f"{urls}</urlset>".encode(), "application/xml")
        match = re.fullmatch(r"/article/(\d+)/x/", path)
        if match and int(match[1]) < self.count:
            n = int(match[1])
            article = DemoArticle(
                id=n, slug="x", section="محليات", title=f"خبر رقم {n}", subtitle="", authors=[],
                published="2024-01-01T10:00:00+03:00", modified="2024-01-01T10:00:00+03:00",
                tags=[], caption="", comments=0, in_feed=False,
                paragraphs=[f"{SENTENCES[(n + i) % 4]} رقم {n + i}." for i in range(8)])
            return Response(render_article(article, [], base, "مقياس").encode())
        return default


def scrapy_bench_pages_per_second(seconds: int) -> float:
    """Run `scrapy bench` for a while and return the pages/s it reports."""
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
         "-s", "LOG_LEVEL=INFO"], capture_output=True, text=True, cwd=tempfile.gettempdir())
    output = result.stdout + result.stderr
    responses = re.search(r"'response_received_count': (\d+)", output)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", output)
    if not (responses and elapsed):
        raise SystemExit(f"could not read scrapy bench's stats:\n{output[-2000:]}")
    return int(responses[1]) / float(elapsed[1])


def count_pages(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM pages").fetchone()[0]


def run(pages: int, baseline_seconds: int) -> None:
    url, tmp = throwaway_database()
    sql.migrate(url)
    seeds_dir = tmp / "seeds"
    seeds_dir.mkdir()
    (seeds_dir / "bench.toml").write_text(SEED, encoding="utf-8")
    seed = load_seed(seeds_dir / "bench.toml")
    with sql.connect(url) as conn:
        conn.execute("DELETE FROM pages WHERE source_id = 'bench'")
        repository.register_source(conn, seed)

    with LoopbackNetwork({HOST: BenchPages(pages)}) as network:
        env = dict(os.environ, AKHBAR_DATABASE_URL=url, http_proxy=network.proxy_url,
                   AKHBAR_CRAWL_LOG_LEVEL="WARNING")
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "akhbar.spiders.crawl", "bench", "--seeds-dir",
             str(seeds_dir)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output: list[bytes] = []
        reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
        reader.start()
        sampler = psutil.Process(process.pid)
        peak = rss_at_tenth = rss_at_end = 0
        while process.poll() is None:
            try:
                rss = sampler.memory_info().rss
            except psutil.NoSuchProcess:
                break
            peak = max(peak, rss)
            stored = count_pages(url)
            if not rss_at_tenth and stored >= pages // 10:
                rss_at_tenth = rss
            if stored >= pages:
                rss_at_end = rss_at_end or rss
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        reader.join(timeout=10)
    stored = count_pages(url)
    if process.returncode != 0:
        raise SystemExit(b"".join(output).decode(errors="replace")[-3000:])

    baseline = scrapy_bench_pages_per_second(baseline_seconds)
    rate = stored / elapsed
    mb = 1024 * 1024
    print(f"akhbar crawl: {stored} pages stored in {elapsed:.1f} s = {rate:.0f} pages/s "
          f"(process start, discovery and storage included)")
    print(f"scrapy bench on this machine: {baseline:.0f} pages/s")
    print(f"ratio: {rate / baseline:.2f}x scrapy bench")
    print(f"peak RSS of the crawl process: {peak / mb:.0f} MB; at {pages // 10} pages "
          f"{rss_at_tenth / mb:.0f} MB, at {pages} pages {rss_at_end / mb:.0f} MB "
          f"(growth {(rss_at_end - rss_at_tenth) / mb:+.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--baseline-seconds", type=int, default=20)
    args = parser.parse_args()
    run(args.pages, args.baseline_seconds)


if __name__ == "__main__":
    main()
