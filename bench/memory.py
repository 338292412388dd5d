"""Peak memory of extracting one big page: synthetic Arabic article pages of several sizes/shapes.

    python bench/memory.py [--sizes 1,4,8,9.9] [--shapes a,a+,b,c,d,d+]
                           [--encodings utf-8,windows-1256]

Each page is extracted with `extract_article(bytes, url)` in a fresh Python process, which
prints its peak RSS (ru_maxrss) after imports and a warm-up extraction of a 20 KB page (base),
after extracting the big page (peak), and after also computing the article's MinHash signature
as the load step does in the same worker process (+load); plus the wall time and the result.
  a  one huge article body of many <p> paragraphs (no articleBody marker)
  b  a normal article bloated by a giant inline script, JSON-LD and a base64 data-URI image
  c  a normal article followed by a huge comment thread and data table (tiny nested elements)
  d  one huge body text inside a single <div>, paragraphs separated by <br><br>
  +  the body marked itemprop="articleBody" (akhbar's own content-root path)
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MIB = 1024 * 1024
LIMIT_MIB = 400  # the bound for a 10 MB page
URL = "https://example.com/2025/03/14/news/big-article"
SENTENCES = (
    "قال وزير الخارجية في مؤتمر صحفي عقده اليوم إن المفاوضات ستستأنف الأسبوع المقبل.",
    "وأكد المتحدث باسم الحكومة أن الأوضاع الاقتصادية تشهد تحسنا ملحوظا منذ بداية العام.",
    "وفي سياق متصل، دعت منظمات المجتمع المدني إلى احترام حقوق الإنسان وحرية التعبير.",
    "ويرى محللون أن هذه الخطوة قد تمهد الطريق أمام اتفاق شامل بين الأطراف المتنازعة.",
    "وشهدت العاصمة مظاهرات حاشدة طالب فيها المحتجون بإصلاحات سياسية واقتصادية عاجلة.",
    "وبلغت قيمة الصادرات ١٢٫٥ مليار دولار في عام 2024، بزيادة قدرها ٨٪ عن العام السابق.",
)
NAMES = ("محمد", "أحمد", "فاطمة", "خالد", "مريم", "يوسف", "ليلى", "عمر")
LD = json.dumps({"@type": "NewsArticle", "headline": "مفاوضات جديدة",
                 "author": {"name": "سارة علي"}}, ensure_ascii=False)
TAIL = "</div></article></main><footer><p>جميع الحقوق محفوظة © 2025</p></footer></body></html>"


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 6)))


def head(body_marker: str, encoding: str) -> str:
    menu = "".join(f'<li><a href="/s{i}">قسم {i}</a></li>' for i in range(12))
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="{encoding}">'
            "<title>مفاوضات جديدة بين الأطراف | صحيفة الخبر</title>"
            '<meta property="og:site_name" content="صحيفة الخبر">'
            f'<script type="application/ld+json">{LD}</script></head><body>'
            f'<header class="site-header"><nav><ul>{menu}</ul></nav></header><main><article>'
            '<h1 class="entry-title">مفاوضات جديدة بين الأطراف</h1><time datetime="2025-03-14'
            'T10:00:00+03:00">14 مارس 2025</time>'
            f'<div class="entry-content"{body_marker}><img src="/uploads/lead.jpg" alt="صورة">')


def build_page(shape: str, size: int, encoding: str = "utf-8") -> bytes:
    """A page of about `size` bytes in `encoding` (see the shapes above)."""
    rng = random.Random(1)

    def size_of(text: str) -> int:
        return len(text.encode(encoding, "xmlcharrefreplace"))

    def fill(parts: list[str], budget: int, unit: Callable[[], str]) -> None:
        while (budget := budget - size_of(piece := unit())) >= 0:
            parts.append(piece)

    marker = ' itemprop="articleBody"' if shape.endswith("+") else ""
    parts, kind = [head(marker, encoding)], shape.rstrip("+")
    budget = size - size_of(parts[0] + TAIL) - 200
    if kind == "a":
        fill(parts, budget, lambda: f"<p>{paragraph(rng)}</p>\n")
    elif kind == "d":
        fill(parts, budget, lambda: f"{paragraph(rng)}<br><br>\n")
    else:  # b, c: an ordinary article of ~40 paragraphs, then the bloat
        parts += [f"<p>{paragraph(rng)}</p>\n" for _ in range(40)]
        budget = max(0, budget - size_of("".join(parts[1:])))
    if kind == "b":
        items: list[str] = []
        fill(items, budget // 3 - 80, lambda: json.dumps(
            {"@type": "NewsArticle", "headline": paragraph(rng)}, ensure_ascii=False) + ",")
        state = "[" + "".join(items).rstrip(",") + "]"
        image = base64.b64encode(rng.randbytes(budget // 3 * 3 // 4)).decode()
        parts += [f"<script>window.__STATE__={state};</script>",
                  f'<script type="application/ld+json">{{"@type": "WebPage", "hasPart": {state}}}'
                  '</script>', f'<img alt="صورة" src="data:image/jpeg;base64,{image}">']
    if kind == "c":  # half a comment thread (replies nested 4 deep), half a data table
        parts.append('</div><ol class="comment-list">')

        def comment(depth: int = 0) -> str:
            replies = "".join(comment(depth + 1) for _ in range(rng.randint(0, 2 * (depth < 3))))
            return (f'<li class="comment"><div class="comment-body"><b>{rng.choice(NAMES)}</b>'
                    f"<time>منذ {rng.randint(1, 59)} دقيقة</time><p>{rng.choice(SENTENCES)}</p>"
                    f'<a href="#r">رد</a></div><ul class="children">{replies}</ul></li>')

        fill(parts, budget // 2, comment)
        parts.append("</ol><table><tr><th>الدائرة</th><th>الأصوات</th><th>النسبة</th></tr>")
        fill(parts, budget // 2 - 60, lambda: f"<tr><td>الدائرة {rng.randint(1, 999)}</td>"
             f"<td>{rng.randint(100, 99999)}</td><td>{rng.randint(1, 99)}٪</td></tr>")
        parts.append("</table><div>")
    parts.append(TAIL)
    return "".join(parts).encode(encoding, "xmlcharrefreplace")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(path: str) -> None:
    """Runs in the fresh process: warm up, extract the page, print figures as JSON."""
    from akhbar.extract import Reject, extract_article
    from akhbar.extract.dedupe import signature

    signature(extract_article(build_page("a", 20_000), URL).text_normalized)  # warm-up
    base = peak_mib()
    html = Path(path).read_bytes()
    started = time.perf_counter()
    result = extract_article(html, URL)
    seconds = time.perf_counter() - started
    peak = peak_mib()
    if isinstance(result, Reject):
        outcome = f"Reject({result.reason})"
    else:
        outcome = f"Article({result.word_count} words, {len(result.text)} chars)"
        signature(result.text_normalized)  # sql/repository.load_results, same process
    print(json.dumps({"base": base, "peak": peak, "load": peak_mib(), "s": seconds,
                      "out": outcome}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,8,9.9", help="page sizes in MiB")
    parser.add_argument("--shapes", default="a,a+,b,c,d,d+")
    parser.add_argument("--encodings", default="utf-8,windows-1256")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--build", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    if args.build:
        shape, size, encoding, path = args.build
        Path(path).write_bytes(build_page(shape, int(float(size) * MIB), encoding))
        return None
    print(f"RSS in MiB; limit {LIMIT_MIB} for extraction\n{'enc':12} {'shape':5} {'MiB':>4} "
          f"{'bytes':>9} {'base':>5} {'peak':>5} {'delta':>5} {'+load':>6} {'s':>5}  result")
    with tempfile.TemporaryDirectory(prefix="akhbar-mem-") as tmp:
        path = Path(tmp) / "page.html"
        for encoding, shape, size in itertools.product(
                args.encodings.split(","), args.shapes.split(","), args.sizes.split(",")):
            # Pages are built in a process of their own: Linux carries a parent's peak RSS
            # into a child's ru_maxrss across vfork+exec, so this process must stay small.
            subprocess.run([sys.executable, __file__, "--build", shape, size, encoding,
                            str(path)], check=True)
            done = subprocess.run([sys.executable, __file__, "--child", str(path)],
                                  capture_output=True, text=True)
            label = f"{encoding:12} {shape:5} {size:>4} {path.stat().st_size:9}"
            if done.returncode != 0:
                print(f"{label}  child failed ({done.returncode}): {done.stderr[-200:]!r}")
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            over = "  OVER" if row["peak"] > LIMIT_MIB else ""
            print(f"{label} {row['base']:5.0f} {row['peak']:5.0f} {row['peak'] - row['base']:5.0f}"
                  f" {row['load']:6.0f} {row['s']:5.1f}  {row['out']}{over}", flush=True)


if __name__ == "__main__":
    main()
