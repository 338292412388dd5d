"""Whole-path benchmark: crawl, extract and load N loopback pages through the real nightly flow.

    python bench/pipeline.py [--pages 5000] [--baseline-seconds 20] [--keep]

Serves N realistic Arabic article pages (a few KB of text that differs page to page, in the
demo theme with its menu, related box and comment form) from a loopback site in a process of its
own, runs the real `nightly` flow on them (politeness off, Prefect's temporary local API, a
throwaway embedded PostgreSQL unless $AKHBAR_DATABASE_URL is set) and checks that every page
became an article (exit 1 if not). Prints pages/s end to end, the share of the flow's wall time
per stage (from the run's task runs in Prefect), when the crawl and the extraction ran, CPU
seconds and peak RSS per process, and `scrapy bench`'s pages/s measured as bench/crawl.py does
it, just before and just after the flow (the mean is the baseline: the machine may be busy with
other work), the ratio to it (the goal is at least 1x), and the CPU per page of both, which
other work on the machine does not skew as it does wall time. `--keep` keeps the embedded
database's directory for inspection (`AKHBAR_DATA_DIR=<dir> akhbar db shell`); in a database of
$AKHBAR_DATABASE_URL the bench site's rows stay until the next run deletes them.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import psycopg
from akhbar import sql
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import SECTION_SLUGS, DemoArticle, Response, render_article
from akhbar.sql.cluster import read_postmaster
from akhbar.sql.embedded import EMBEDDED_DATABASE, join
from crawl import (  # bench/crawl.py, next to this script
    HOST,
    PER_SITEMAP,
    SEED,
    BenchPages,
    scrapy_bench_pages_per_second,
)

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Flow and task logs still go to Prefect's API as in production; only the console is quiet.
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")

SITE = "bench"
SITE_NAME = "مقياس"
ARTICLE_PATH = re.compile(r"/article/(\d+)/x/")
SITEMAP_PATH = re.compile(r"/sitemap-(\d+)\.xml")
SAMPLE_SECONDS = 0.2
OVERLAP_SECONDS = 0.1  # less: the last task of one stage and the first of the next just touch
PREFECT_PAGE = 200  # the most task runs the API returns at once
MB = 1024 * 1024
CRAWL = "crawl (Scrapy process)"
EXTRACT_AND_LOAD = "extract + load"
BOOKKEEPING = "database bookkeeping tasks"
# Task name → (stage, part of it); any other task is database bookkeeping.
STAGES = {
    "crawl_site": (CRAWL, None),
    "list_pending_pages": (EXTRACT_AND_LOAD, "list and read pages"),
    "read_pages": (EXTRACT_AND_LOAD, "list and read pages"),
    "extract_pages": (EXTRACT_AND_LOAD, "extract (trafilatura + akhbar rules)"),
    "load_extracted": (EXTRACT_AND_LOAD, "load (COPY, merge, near-duplicates)"),
}

# The lexicon the article texts are drawn from, a few slots per sentence.
# fmt: off
SUBJECTS = ("وزير الخارجية", "رئيس الوزراء", "المتحدث باسم الحكومة", "محافظ البنك المركزي",
            "وزيرة الصحة", "رئيس البلدية", "مدير عام الشركة الوطنية للكهرباء", "وزير المالية",
            "رئيس غرفة التجارة والصناعة", "الأمين العام لاتحاد العمال", "مدير الدفاع المدني",
            "وزيرة التربية والتعليم", "قائد شرطة العاصمة", "رئيس مجلس النواب")
VERBS = ("قال", "أكد", "أعلن", "أوضح", "كشف", "صرح", "ذكر")
CITIES = ("عمّان", "القاهرة", "بيروت", "الرباط", "تونس", "الدوحة", "الرياض", "بغداد", "دمشق",
          "الجزائر", "مسقط", "الكويت", "المنامة", "الخرطوم", "طرابلس", "نواكشوط", "أبوظبي",
          "إربد", "الإسكندرية", "وهران", "صفاقس", "الموصل", "حلب", "جدة", "أسوان", "فاس")
DAYS = ("السبت", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة")
MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
          "أكتوبر", "نوفمبر", "ديسمبر")
PROJECTS = ("خطة تطوير شبكة النقل العام", "مشروع تحلية مياه البحر",
            "برنامج دعم المشاريع الصغيرة", "حملة ترميم المدارس الحكومية",
            "مبادرة توسيع المساحات الخضراء", "خطة تحديث المستشفيات الحكومية",
            "مشروع محطة الطاقة الشمسية", "برنامج تأهيل الشباب الباحثين عن عمل",
            "خطة إصلاح شبكة الصرف الصحي", "مشروع الوحدات السكنية الميسرة",
            "برنامج رقمنة الخدمات الحكومية", "خطة حماية الشواطئ من التلوث",
            "مشروع توسعة الميناء التجاري", "برنامج مكافحة التصحر")
GROUPS = ("السكان", "التجار", "المزارعين", "الطلاب", "سائقي سيارات الأجرة", "الأطباء",
          "المعلمين", "أصحاب المحال التجارية", "الصيادين", "المتقاعدين", "الحرفيين")
FEELINGS = ("ترحيبهم بالخطوة", "قلقهم من تأخر التنفيذ", "تفاؤلهم بالنتائج المنتظرة",
            "تحفظهم على الكلفة المرتفعة", "استياءهم من غياب التشاور المسبق")
EXPERTS = ("خبير اقتصادي", "أستاذ العلوم السياسية", "محلل مالي", "باحث في شؤون الطاقة",
           "مهندس مدني", "خبير في التخطيط العمراني")
GOALS = ("خفض معدلات البطالة", "تحسين جودة الخدمات العامة", "تشجيع الاستثمار الأجنبي",
         "الحد من الازدحام المروري", "ترشيد استهلاك المياه", "دعم الأسر محدودة الدخل")
TOPICS = ("سبل تعزيز التعاون الاقتصادي", "تطورات الأوضاع الإقليمية",
          "آليات تنفيذ الاتفاقيات الموقعة", "فرص الاستثمار في قطاع السياحة",
          "ملف اللاجئين والنازحين", "تنظيم سوق العمل")
EVENTS = ("احتجاجات سلمية أمام مبنى البلدية", "أمطارا غزيرة أغلقت عددا من الطرق",
          "ارتفاعا ملحوظا في أسعار الخضار", "انقطاعا متكررا للتيار الكهربائي",
          "افتتاح معرض للكتاب بمشاركة واسعة", "حوادث سير متكررة على الطريق الدائري")
NAMES = ("محمد علي", "أحمد حسن", "فاطمة الزهراء", "خالد يوسف", "مريم سعيد", "ليلى عمر",
         "سامر الخطيب", "هدى منصور")
TAGS = ("اقتصاد", "بلديات", "خدمات", "استثمار", "طاقة", "مياه", "تعليم", "صحة", "نقل")
# fmt: on
SENTENCES = (
    "{verb} {subject} في تصريح صحفي يوم {day} إن {project} ستنطلق في {city} خلال {n} أسابيع.",
    "وأوضح أن كلفة المرحلة الأولى تقدر بنحو {m} مليون دولار، يسهم القطاع الخاص بـ{p} في المئة "
    "منها.",
    "وعبر عدد من {group} في {city} عن {feeling}، مطالبين بنشر جدول زمني واضح للأعمال.",
    "ويرى {expert} من {city} أن {project} قد توفر نحو {k} فرصة عمل بحلول {month} المقبل.",
    "وكانت الحكومة قد أقرت في {month} الماضي حزمة من {n} إجراء تهدف إلى {goal}.",
    "وبحسب أرقام رسمية، ارتفع عدد {group} المستفيدين من البرامج السابقة إلى {k} في {city} وحدها.",
    "وفي سياق متصل، التقى {subject} وفدا من {city} لبحث {topic} و{goal}.",
    "ومن المتوقع أن يعقد {subject} مؤتمرا صحفيا يوم {day} المقبل للإعلان عن تفاصيل {project}.",
    "وشهدت {city} خلال الأيام الماضية {event}، ما أثار نقاشا واسعا بين {group}.",
    "وأشار {subject} إلى أن نسبة الإنجاز في {project} بلغت {p} في المئة حتى نهاية {month}.",
    "ولفت {expert} إلى أن {group} في {city} يدفعون ثمن التأخير منذ {n} سنوات على الأقل.",
    "وتعهد {subject} بمتابعة {project} شخصيا وتقديم تقرير شهري إلى مجلس {city} البلدي.",
)


def sentence(rng: random.Random) -> str:
    """One news sentence with its slots filled at random (few 4-word runs shared by pages)."""
    return rng.choice(SENTENCES).format(
        verb=rng.choice(VERBS),
        subject=rng.choice(SUBJECTS),
        city=rng.choice(CITIES),
        day=rng.choice(DAYS),
        month=rng.choice(MONTHS),
        project=rng.choice(PROJECTS),
        group=rng.choice(GROUPS),
        feeling=rng.choice(FEELINGS),
        expert=rng.choice(EXPERTS),
        goal=rng.choice(GOALS),
        topic=rng.choice(TOPICS),
        event=rng.choice(EVENTS),
        n=rng.randint(2, 40),
        m=rng.randint(3, 900),
        p=rng.randint(5, 95),
        k=rng.randint(100, 20000),
    )


def title_of(n: int) -> str:
    rng = random.Random(-n - 1)
    return (
        f"{rng.choice(SUBJECTS)}: {rng.choice(PROJECTS)} في {rng.choice(CITIES)} "
        f"خلال {rng.randint(2, 40)} أسبوعا"
    )


def dates_of(n: int, newest: datetime) -> tuple[datetime, datetime]:
    """Page n's publication and last change: one page every 30 s back from `newest`, so all
    are recent enough for a nightly run to follow (the seed's nightly_max_age_days)."""
    published = newest - timedelta(seconds=30 * n, hours=3)
    return published, published + timedelta(minutes=45 * (n % 3))


def bench_article(n: int, newest: datetime) -> DemoArticle:
    """Page n's article: about 550 words in 7-11 paragraphs, its metadata varied too."""
    rng = random.Random(n)
    published, modified = dates_of(n, newest)
    return DemoArticle(
        id=n,
        slug="x",
        section=rng.choice(list(SECTION_SLUGS)),
        title=title_of(n),
        subtitle=sentence(rng).rstrip(".") if rng.random() < 0.5 else "",
        authors=rng.sample(NAMES, rng.randint(0, 2)),
        published=published.isoformat(),
        modified=modified.isoformat(),
        tags=rng.sample(TAGS, rng.randint(1, 4)),
        caption=f"صورة من {rng.choice(CITIES)}",
        comments=rng.randint(0, 60),
        in_feed=False,
        paragraphs=[
            " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(7, 11))
        ],
    )


def neighbour(n: int, newest: datetime) -> DemoArticle:
    """A title-only article for page n's related and most-read boxes."""
    published = dates_of(n, newest)[0].isoformat()
    return DemoArticle(
        id=n,
        slug="x",
        section="محليات",
        title=title_of(n),
        subtitle="",
        authors=[],
        published=published,
        modified=published,
        tags=[],
        caption="",
        comments=0,
        in_feed=False,
        paragraphs=[],
    )


class ArticlePages(BenchPages):
    """bench/crawl.py's site (its sitemap index) with realistic article pages, and each URL's
    lastmod in the sitemaps as a news site gives it (a nightly run follows at most
    nightly_max_undated undated URLs)."""

    def __init__(self, count: int, newest: datetime) -> None:
        super().__init__(count)
        self.newest = newest

    def get(self, path: str, default: Response) -> Response:
        base = f"http://{HOST}"
        match = ARTICLE_PATH.fullmatch(path)
        if match and int(match[1]) < self.count:
            n = int(match[1])
            others = [neighbour((n + i) % self.count, self.newest) for i in range(1, 5)]
            html = render_article(bench_article(n, self.newest), others, base, SITE_NAME)
            return Response(html.encode())
        match = SITEMAP_PATH.fullmatch(path)
        if match:
            start = int(match[1])
            urls = "".join(
                f"<url><loc>{base}/article/{n}/x/</loc><lastmod>"
                f"{dates_of(n, self.newest)[1].isoformat()}</lastmod></url>"
                for n in range(start, min(start + PER_SITEMAP, self.count))
            )
            return Response(
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{urls}</urlset>".encode(),
                "application/xml",
            )
        return super().get(path, default)


def serve_site(pages: int, newest: datetime, pipe) -> None:
    """The loopback site, in a process of its own so that its CPU is not the flow's."""
    with LoopbackNetwork({HOST: ArticlePages(pages, newest)}) as network:
        pipe.send(network.proxy_url)
        pipe.recv()  # until told to stop


def own_cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU seconds of a process; 0 when it has just ended."""
    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def scrapy_bench(seconds: int) -> tuple[float, float, float]:
    """`scrapy bench`'s pages/s as bench/crawl.py measures it, the cores it kept busy, and its
    CPU seconds per page (spider and server, start-up included)."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    rate = scrapy_bench_pages_per_second(seconds)
    after, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter() - started
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return rate, cpu / wall, cpu / (rate * seconds)


class Usage(threading.Thread):
    """CPU seconds and peak RSS of the run's processes by role, sampled every SAMPLE_SECONDS
    (a process that ends loses at most its last SAMPLE_SECONDS of CPU)."""

    def __init__(self, roles: dict[int, str], postgres: psutil.Process | None) -> None:
        super().__init__(daemon=True)
        self.roles = roles  # pid → role, for processes known up front
        self.postgres = postgres
        self.peak: dict[str, int] = defaultdict(int)
        self.first: dict[int, float] = {}  # pid → CPU seconds when the run started
        self.last: dict[int, float] = {}  # pid → CPU seconds when last seen
        self.role_of: dict[int, str | None] = {}
        self.stopping = threading.Event()
        self.sample(first=True)

    def role(self, process: psutil.Process) -> str | None:
        if process.pid in self.roles:
            return self.roles[process.pid]
        command = " ".join(process.cmdline())
        if "akhbar.spiders.crawl" in command:
            return "crawl"
        if "uvicorn" in command:
            return "prefect"
        # flows/processes.py's extraction pool, when the flow has one
        return "extract" if "spawn_main" in command else None

    def sample(self, first: bool = False) -> None:
        me = psutil.Process()
        for process in (me, *me.children(recursive=True), self.postgres):
            if process is None:
                continue
            try:
                if process.pid not in self.role_of:
                    self.role_of[process.pid] = self.role(process)
                role = self.role_of[process.pid]
                if not role:
                    continue
                times = process.cpu_times()
                seconds = times.user + times.system
                if role == "postgres":  # and its backends: live ones, and ended ones it reaped
                    seconds += (
                        times.children_user
                        + times.children_system
                        + sum(map(own_cpu_seconds, process.children()))
                    )
                else:
                    self.peak[role] = max(self.peak[role], process.memory_info().rss)
                self.last[process.pid] = seconds
                if first:
                    self.first[process.pid] = seconds
            except psutil.Error:
                continue

    def run(self) -> None:
        while not self.stopping.wait(SAMPLE_SECONDS):
            self.sample()

    def stop(self) -> dict[str, float]:
        """Stop sampling; CPU seconds by role since the start."""
        self.stopping.set()
        self.join()
        self.sample()
        cpu: dict[str, float] = defaultdict(float)
        for pid, seconds in self.last.items():
            cpu[self.role_of[pid]] += seconds - self.first.get(pid, 0.0)
        return dict(cpu)


def forget_site(url: str) -> None:
    """Delete what an earlier run left of the bench site (an existing database)."""
    pages = "SELECT id FROM pages WHERE source_id = %(site)s"
    with psycopg.connect(url) as conn:
        for statement in (
            f"DELETE FROM article_versions WHERE page_id IN ({pages})",
            "DELETE FROM articles WHERE source_id = %(site)s",
            f"DELETE FROM rejects WHERE page_id IN ({pages})",
            "DELETE FROM pages WHERE source_id = %(site)s",
            "DELETE FROM failed_urls WHERE source_id = %(site)s",
            "DELETE FROM discovery_validators WHERE source_id = %(site)s",
        ):
            conn.execute(statement, {"site": SITE})


def stored_counts(url: str) -> dict:
    """What the run left in the database for the bench site."""
    with psycopg.connect(url) as conn:
        pages, html = conn.execute(
            "SELECT count(*), avg(octet_length(body)) FROM pages WHERE source_id = %s", (SITE,)
        ).fetchone()
        articles, text, words, clusters = conn.execute(
            "SELECT count(*), avg(octet_length(text)), avg(word_count), "
            "count(DISTINCT cluster_id) FROM articles WHERE source_id = %s",
            (SITE,),
        ).fetchone()
        rejects = dict(
            conn.execute(
                "SELECT r.reason, count(*) FROM rejects r JOIN pages p ON p.id = r.page_id "
                "WHERE p.source_id = %s GROUP BY r.reason",
                (SITE,),
            ).fetchall()
        )
    return {
        "pages": pages,
        "html": float(html or 0),
        "articles": articles,
        "text": float(text or 0),
        "words": float(words or 0),
        "clusters": clusters,
        "rejects": rejects,
    }


def run_flow(seeds_dir: Path, proxy: str, pgdata: Path | None, site_pid: int) -> dict:
    """Run `nightly` on the bench site under Prefect's harness; its state, wall time, task
    runs, and CPU and peak RSS per process."""
    from akhbar.flows.nightly import nightly
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
    )
    from prefect.testing.utilities import prefect_test_harness

    postmaster = read_postmaster(pgdata) if pgdata else None
    postgres = psutil.Process(postmaster.pid) if postmaster else None
    with prefect_test_harness():
        roles = {os.getpid(): "flow", site_pid: "site"}
        if postmaster:
            roles[postmaster.pid] = "postgres"
        usage = Usage(roles, postgres)
        usage.start()
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        state = nightly(sites=[SITE], seeds_dir=str(seeds_dir), proxy=proxy, return_state=True)
        wall = time.perf_counter() - started
        cpu = usage.stop()
        run_id = state.state_details.flow_run_id
        with get_client(sync_client=True) as client:
            children = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id])
                )
            )
            runs_of = FlowRunFilter(id=FlowRunFilterId(any_=[run_id, *(c.id for c in children)]))
            runs: list = []
            while page := client.read_task_runs(
                flow_run_filter=runs_of, offset=len(runs), limit=PREFECT_PAGE
            ):
                runs += page
    # A subflow shows up as a task run of its parent: count only real tasks.
    tasks = [t for t in runs if t.state and not t.state.state_details.child_flow_run_id]
    return {
        "state": state,
        "wall": wall,
        "started_at": started_at,
        "tasks": tasks,
        "cpu": cpu,
        "rss": dict(usage.peak),
        "postgres": postgres is not None,
    }


def stage_of(task_run) -> tuple[str, str | None]:
    return STAGES.get(task_run.task_key.rsplit("-", 1)[0], (BOOKKEEPING, None))


def covered(intervals: list[tuple[float, float]]) -> float:
    """Seconds covered by the union of (start, end) intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def report_stages(flow: dict, pages: int) -> None:
    """Per stage: the wall time its task runs cover (tasks of a stage may overlap, e.g.
    extracting one batch while loading another) and their summed run time; when the crawl
    and the extraction ran."""
    wall, started_at = flow["wall"], flow["started_at"]
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    busy: dict[str, float] = defaultdict(float)
    counted: dict[str, int] = defaultdict(int)
    for task_run in flow["tasks"]:
        if not (task_run.start_time and task_run.end_time):
            continue
        span = (
            (task_run.start_time - started_at).total_seconds(),
            (task_run.end_time - started_at).total_seconds(),
        )
        stage, part = stage_of(task_run)
        for name in (stage, part, "any"):
            if name:
                spans[name].append(span)
                busy[name] += task_run.total_run_time.total_seconds()
                counted[name] += 1
    print("where the flow's wall time goes (its task runs, read back from Prefect):")
    print(f"  {'':40} {'wall':>7} {'share':>6} {'task time':>10}")

    def line(name: str, note: str = "", indent: int = 2) -> None:
        seconds = covered(spans[name])
        print(
            f"{' ' * indent}{name:<{40 + 2 - indent}} {seconds:5.1f} s {seconds / wall:6.1%} "
            f"{busy[name]:8.1f} s   {note}".rstrip()
        )

    line(CRAWL, f"{pages / busy[CRAWL]:.0f} pages/s on its own" if busy[CRAWL] else "")
    line(EXTRACT_AND_LOAD, f"{counted[EXTRACT_AND_LOAD]} task runs")
    for part in dict.fromkeys(p for _, p in STAGES.values() if p):
        line(part, f"{1000 * busy[part] / pages:.1f} ms/page of task time", indent=4)
    line(BOOKKEEPING, f"{counted[BOOKKEEPING]} task runs")
    rest = wall - covered(spans["any"])
    print(
        f"  {'Prefect orchestration and other':<40} {rest:5.1f} s {rest / wall:6.1%}"
        f"{'':13}wall time outside any task: migrations, flow and task state changes, "
        f"subflow, artifacts"
    )
    crawl, extract = spans[CRAWL], spans[EXTRACT_AND_LOAD]
    if crawl and extract:
        crawl_end, extract_start = max(e for _, e in crawl), min(s for s, _ in extract)
        overlap = covered(crawl) + covered(extract) - covered(crawl + extract)
        order = (
            f"overlapped for {overlap:.1f} s"
            if overlap >= OVERLAP_SECONDS
            else f"one after the other (extraction began {extract_start - crawl_end:.1f} s "
            f"after the crawl ended)"
        )
        print(
            f"timeline: crawl {min(s for s, _ in crawl):.1f}-{crawl_end:.1f} s, extract + "
            f"load {extract_start:.1f}-{max(e for _, e in extract):.1f} s of the flow: {order}"
        )


def report_processes(flow: dict) -> None:
    """CPU seconds, cores used on average and peak RSS, per process of the run."""
    wall, cpu, rss = flow["wall"], flow["cpu"], flow["rss"]
    names = {
        "crawl": "crawl (Scrapy)",
        "flow": "flow (this process: tasks, Prefect client)",
        "extract": "extraction pool processes (if any)",
        "prefect": "Prefect server (uvicorn)",
        "postgres": "PostgreSQL (all backends)",
        "site": "loopback site (its own process)",
    }
    print(f"processes during the flow ({os.cpu_count()} cores):  CPU s  cores  peak RSS")
    for role, name in names.items():
        if role == "postgres" and not flow["postgres"]:
            print(f"  {name:<45} (an external server: not measured)")
            continue
        if role == "extract" and role not in cpu:
            continue
        peak = f"{rss[role] / MB:6.0f} MB" if rss.get(role) else "      -"
        seconds = cpu.get(role, 0.0)
        print(f"  {name:<45} {seconds:6.1f} {seconds / wall:5.2f}  {peak}")
    total = sum(cpu.values())
    print(f"  {'all of them':<45} {total:6.1f} {total / wall:5.2f}")


def run(pages: int, baseline_seconds: int, keep: bool) -> int:
    """The whole benchmark; its exit code."""
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-pipeline-"))
    server = None
    url = os.environ.get(sql.DATABASE_URL_ENV)
    if not url:  # the crawl process reaches this server through the same URL
        os.environ[sql.DATA_DIR_ENV] = str(tmp / "data")
        server = join(tmp / "data" / "pgdata", EMBEDDED_DATABASE)
        url = os.environ[sql.DATABASE_URL_ENV] = server.url(EMBEDDED_DATABASE)
    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    newest = datetime.now(UTC).replace(microsecond=0)
    site = spawn.Process(target=serve_site, args=(pages, newest, theirs), daemon=True)
    try:
        sql.migrate(url)
        forget_site(url)
        seeds_dir = tmp / "seeds"
        seeds_dir.mkdir()
        (seeds_dir / f"{SITE}.toml").write_text(SEED, encoding="utf-8")
        print(f"scrapy bench for {baseline_seconds} s, before the flow ...", flush=True)
        baselines = [scrapy_bench(baseline_seconds)]
        site.start()
        proxy = ours.recv()
        load = os.getloadavg()[0]
        print(f"nightly flow over {pages} loopback pages ...", flush=True)
        flow = run_flow(seeds_dir, proxy, server.pgdata if server else None, site.pid)
        ours.send("stop")
        site.join(timeout=10)
        counts = stored_counts(url)
    finally:
        if site.is_alive():
            site.kill()
        if server:
            server.leave()  # the last user: stops it
        if keep and server:
            print(f"kept: {tmp} (inspect with AKHBAR_DATA_DIR={tmp / 'data'} akhbar db shell)")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"scrapy bench for {baseline_seconds} s, after the flow ...", flush=True)
    baselines.append(scrapy_bench(baseline_seconds))
    baseline = sum(rate for rate, _, _ in baselines) / len(baselines)

    state, wall = flow["state"], flow["wall"]
    rejects = ", ".join(f"{reason} {n}" for reason, n in sorted(counts["rejects"].items()))
    print(
        f"\npages stored: {counts['pages']} of {pages} (average {counts['html'] / 1024:.1f} KB "
        f"of HTML); articles loaded: {counts['articles']} (average "
        f"{counts['text'] / 1024:.1f} KB, {counts['words']:.0f} words of text), "
        f"in {counts['clusters']} near-duplicate clusters; rejects: {rejects or 'none'}"
    )
    rate = counts["articles"] / wall
    print(
        f"nightly flow: {wall:.1f} s wall = {rate:.1f} pages/s end to end "
        f"(crawled, extracted and loaded; flow state {state.name})"
    )
    print(
        f"load average when the flow started: {load:.2f} on {os.cpu_count()} cores "
        f"(other work on the machine skews every figure)"
    )
    report_stages(flow, pages)
    report_processes(flow)
    # CPU per page does not depend on how busy the machine is, as wall time does.
    ours = sum(flow["cpu"].values()) / pages
    theirs = sum(per_page for _, _, per_page in baselines) / len(baselines)
    print(
        f"CPU per page, each with its page server: end to end {1000 * ours:.1f} ms, scrapy "
        f"bench {1000 * theirs:.1f} ms; on as many busy cores end to end would do "
        f"{theirs / ours:.2f}x scrapy bench's pages/s"
    )
    print(
        f"scrapy bench on this machine, same run: {baseline:.0f} pages/s (before the flow "
        f"{baselines[0][0]:.0f}, after it {baselines[1][0]:.0f}; it kept "
        f"{baselines[0][1]:.2f} and {baselines[1][1]:.2f} cores busy)"
    )
    print(
        f"ratio: end to end {rate / baseline:.3f}x scrapy bench; goal (>= 1x) "
        f"{'met' if rate >= baseline else 'NOT met'}"
    )
    problems = []
    if not state.is_completed():
        problems.append(f"the nightly flow ended {state.name}: {state.message}")
    if counts["pages"] != pages:
        problems.append(f"{counts['pages']} pages stored, expected {pages}")
    if counts["articles"] != counts["pages"]:
        problems.append(
            f"{counts['articles']} articles for {counts['pages']} pages (rejects: "
            f"{rejects or 'none'})"
        )
    for problem in problems:
        print(
            f"error: {problem}; the figures above do not measure the whole path "
            f"(run with --keep and look at the crawl_runs and rejects tables)",
            file=sys.stderr,
        )
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="article pages (default 5000)")
    parser.add_argument(
        "--baseline-seconds", type=int, default=20, help="how long `scrapy bench` runs (default 20)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the embedded database's directory for inspection"
    )
    args = parser.parse_args()
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    sys.exit(run(args.pages, args.baseline_seconds, args.keep))


if __name__ == "__main__":
    main()
