"""Kill matrix: SIGKILL `akhbar nightly` and `akhbar backfill` at random moments, rerun at once.

    python bench/killmatrix.py [--trials 12] [--main-kills 3] [--seed 1]

Serves two loopback news sites (a few hundred articles, each answered after a short delay so a
crawl lasts tens of seconds) and runs the real `akhbar` command against them as a user would:
its own embedded PostgreSQL (`AKHBAR_DATA_DIR`) and its own temporary Prefect server. First one
uninterrupted reference run per command (`nightly`, `backfill --chunk month`, `backfill --chunk
day`); then, per trial, the same command on a fresh database, SIGKILLed at a random moment
(its whole process group, or only its main process), rerun to completion at once and compared
with the reference: rows lost, duplicated or orphaned, article URLs fetched again (and how many
of them had been stored before the kill), `crawl_runs` left `running`, backfill chunks not
`done`, processes left behind. Prints one row per trial and a summary; exits 1 when a trial
lost, duplicated or orphaned a row, left a row `running`, a chunk not done or a process behind,
or its rerun failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import psycopg
from akhbar.flows.demo.server import LoopbackNetwork
from akhbar.flows.demo.site import DemoArticle, Response, render_article
from akhbar.sql import embedded

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from network import PERSIAN, _index, _rss, _urlset, synthetic_article  # noqa: E402

FRESH, VAULT = "fresh.akhbar.test", "vault.akhbar.test"
RIYADH = ZoneInfo("Asia/Riyadh")
SEED = """id = "{id}"
name = "{name}"
base_url = "http://{host}/"
domains = ["{host}"]
timezone = "Asia/Riyadh"
verified = true
nightly_max_age_days = 36500
{discovery}
article_patterns = ['^http://{host_re}/article/\\d+/']

[politeness]
concurrent_requests = 2
download_delay = 0
autothrottle = false
"""
MONTH_WINDOW = (date(2019, 1, 1), date(2019, 3, 31))
DAY_WINDOW = (date(2019, 2, 10), date(2019, 2, 15))
REJECTS_DAY = date(2019, 2, 12)  # the vault's odd pages, inside both windows
SETTLE = 10.0  # seconds processes may take to go after their parent died


# -- the sites ------------------------------------------------------------------------------

def page(article: DemoArticle, host: str, site_name: str) -> Response:
    return Response(render_article(article, [], f"http://{host}", site_name).encode())


def odd_pages(first_id: int, published: datetime, host: str) -> dict[str, Response]:
    """Pages that end as rejects: too short, Persian, not HTML, and the same text twice."""
    short = replace(synthetic_article(first_id, published), paragraphs=["خبر قصير."])
    persian = replace(synthetic_article(first_id + 1, published), title="نشست مشترک وزیران",
                      paragraphs=list(PERSIAN))
    original = synthetic_article(first_id + 3, published)
    copy = replace(original, id=first_id + 4, slug=f"نسخة-{first_id + 4}")
    pages = {unquote(a.path): page(a, host, "مقياس") for a in (short, persian, original, copy)}
    pages[f"/article/{first_id + 2}/report/"] = Response(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
                                                         "application/pdf")
    return pages


def fresh_site(count: int) -> dict[str, Response]:
    """The nightly site: `count` articles in an RSS feed and a sitemap index of 100-URL
    sitemaps, plus five pages that become rejects."""
    base = f"http://{FRESH}"
    start = datetime(2024, 5, 1, 9, 0, tzinfo=RIYADH)
    dated = [(synthetic_article(n, start + timedelta(hours=n)), start + timedelta(hours=n))
             for n in range(1, count + 1)]
    pages = {unquote(a.path): page(a, FRESH, "مقياس") for a, _ in dated}
    odd = odd_pages(9001, start, FRESH)
    pages |= odd
    entries = [(base + a.path, when.isoformat()) for a, when in dated]
    entries += [(base + path, start.isoformat()) for path in sorted(odd)]
    children = []
    for number, first in enumerate(range(0, len(entries), 100), 1):
        chunk = entries[first:first + 100]
        pages[f"/sitemap-{number}.xml"] = Response(_urlset(chunk), "application/xml")
        children.append((f"{base}/sitemap-{number}.xml", max(when for _, when in chunk)))
    pages["/sitemap_index.xml"] = Response(_index(children), "application/xml")
    pages["/feed/"] = Response(_rss([(base + a.path, when) for a, when in dated[-20:]], "مقياس"),
                               "application/rss+xml")
    pages["/robots.txt"] = Response(b"User-agent: *\nDisallow:\n", "text/plain")
    return pages


def vault_site(per_day: int) -> dict[str, Response]:
    """The backfill site: `per_day` articles a day from 2018-12-25 to 2019-04-05 in monthly
    sitemaps and daily archive pages, plus five pages that become rejects on REJECTS_DAY."""
    base = f"http://{VAULT}"
    pages: dict[str, Response] = {"/robots.txt": Response(b"User-agent: *\n", "text/plain")}
    months: dict[str, list[tuple[str, str]]] = {}
    day, number = date(2018, 12, 25), 10_000
    while day <= date(2019, 4, 5):
        links = []
        for k in range(per_day):
            published = datetime(day.year, day.month, day.day, 8 + k, 0, tzinfo=RIYADH)
            article = synthetic_article(number, published)
            pages[unquote(article.path)] = page(article, VAULT, "الخزانة")
            links.append(article.path)
            number += 1
        if day == REJECTS_DAY:
            odd = odd_pages(90_001, datetime.combine(day, datetime.min.time(), RIYADH), VAULT)
            pages |= odd
            links += sorted(odd)
        for path in links:
            months.setdefault(f"{day:%Y-%m}", []).append((base + path, f"{day}T10:00:00+03:00"))
        anchors = "".join(f'<a href="{path}">خبر</a>' for path in links)
        pages[f"/archive/{day:%Y/%m/%d}"] = Response(f"<html><body>{anchors}</body></html>"
                                                     .encode())
        day += timedelta(days=1)
    pages["/sitemap.xml"] = Response(_index([(f"{base}/sitemap-{month}.xml", entries[-1][1])
                                             for month, entries in months.items()]),
                                     "application/xml")
    for month, entries in months.items():
        pages[f"/sitemap-{month}.xml"] = Response(_urlset(entries), "application/xml")
    return pages


def write_seeds(root: Path) -> dict[str, Path]:
    """One folder of seeds per command: {"nightly": ..., "backfill": ...}."""
    folders = {"nightly": root / "nightly", "backfill": root / "backfill"}
    sites = {
        "nightly": ("fresh", "مقياس", FRESH, f'feeds = ["http://{FRESH}/feed/"]\n'
                                             f'sitemaps = ["http://{FRESH}/sitemap_index.xml"]'),
        "backfill": ("vault", "الخزانة", VAULT,
                     f'sitemaps = ["http://{VAULT}/sitemap.xml"]\n'
                     f'archives = ["http://{VAULT}/archive/{{yyyy}}/{{mm}}/{{dd}}"]'),
    }
    for name, (site_id, site_name, host, discovery) in sites.items():
        folders[name].mkdir(parents=True)
        (folders[name] / f"{site_id}.toml").write_text(SEED.format(
            id=site_id, name=site_name, host=host, host_re=host.replace(".", "\\."),
            discovery=discovery), encoding="utf-8")
    return folders


# -- commands, processes ----------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    name: str
    host: str
    argv: tuple[str, ...]


def commands(seeds: dict[str, Path]) -> dict[str, Command]:
    akhbar = Path(sys.executable).with_name("akhbar")
    program = [str(akhbar)] if akhbar.exists() else [sys.executable, "-m", "akhbar.flows.cli"]

    def backfill(chunk: str, window: tuple[date, date]) -> tuple[str, ...]:
        return (*program, "backfill", "vault", "--since", str(window[0]), "--until",
                str(window[1]), "--chunk", chunk, "--seeds-dir", str(seeds["backfill"]))

    return {
        "nightly": Command("nightly", FRESH,
                           (*program, "nightly", "--seeds-dir", str(seeds["nightly"]))),
        "backfill-month": Command("backfill-month", VAULT, backfill("month", MONTH_WINDOW)),
        "backfill-day": Command("backfill-day", VAULT, backfill("day", DAY_WINDOW)),
    }


def environment(network: LoopbackNetwork, home: Path, prefect_port: int) -> dict[str, str]:
    """An `akhbar` command's environment as a user's: its own embedded PostgreSQL and its own
    temporary Prefect server (no API configured, and no `akhbar ui` on the port it probes)."""
    env = dict(os.environ, http_proxy=network.proxy_url, no_proxy="127.0.0.1,localhost",
               AKHBAR_DATA_DIR=str(home / "data"), PREFECT_HOME=str(home / "prefect"),
               AKHBAR_PREFECT_PORT=str(prefect_port))
    for name in ("PREFECT_API_URL", "PREFECT_PROFILE", "AKHBAR_DATABASE_URL", "HTTP_PROXY"):
        env.pop(name, None)
    return env


def processes_of(path: Path, spare_postgres: bool = False) -> list[str]:
    """`pid command` of live processes whose environment, command line or working directory
    names `path` (PostgreSQL's own, started with `-D /proc/self/cwd`, by its cwd)."""
    text = str(path).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
            seen = (entry / "environ").read_bytes() + (entry / "cmdline").read_bytes()
            cwd = os.readlink(entry / "cwd")
            name = (entry / "comm").read_text().strip()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace").strip()
        except OSError:
            continue
        if state == "Z" or not (text in seen or cwd.startswith(str(path))):
            continue
        if spare_postgres and name in ("postgres", "pg_ctl"):
            continue
        found.append(f"{entry.name} {command[:100]}")
    return found


def settled(path: Path, spare_postgres: bool = False) -> list[str]:
    """The processes of `path` still there after SETTLE seconds at most."""
    deadline = time.monotonic() + SETTLE
    while (left := processes_of(path, spare_postgres)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def crawl_running(path: Path) -> bool:
    return any("akhbar.spiders.crawl" in line for line in processes_of(path))


@dataclass
class Run:
    code: int | None  # None: killed, or did not end in time
    seconds: float
    started: float  # time.monotonic()
    started_at: float  # time.time(), to compare with the database's timestamps
    output: Path


def run(command: Command, env: dict, home: Path, label: str, timeout: float) -> Run:
    """Run the command to completion (killing its group after `timeout`)."""
    output = home / f"{label}.log"
    with output.open("w") as log:
        started, started_at = time.monotonic(), time.time()
        process = subprocess.Popen(command.argv, env=env, stdout=log, stderr=log,
                                   start_new_session=True)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            code = None
    return Run(code, time.monotonic() - started, started, started_at, output)


# -- the database ---------------------------------------------------------------------------

CONTENT = {
    "pages": "SELECT url, sha256 FROM pages",
    "articles": "SELECT url, content_hash FROM articles",
    "rejects": "SELECT p.url, r.reason FROM rejects r JOIN pages p ON p.id = r.page_id",
}
ORPHANS = {
    "pages without source": "SELECT count(*) FROM pages p "
                            "WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = p.source_id)",
    "articles without page": "SELECT count(*) FROM articles a "
                             "WHERE NOT EXISTS (SELECT 1 FROM pages p WHERE p.id = a.page_id)",
    "rejects without page": "SELECT count(*) FROM rejects r "
                            "WHERE NOT EXISTS (SELECT 1 FROM pages p WHERE p.id = r.page_id)",
    "pages never extracted": "SELECT count(*) FROM (SELECT DISTINCT ON (url) id FROM pages "
                             "ORDER BY url, fetched_at DESC, id DESC) p "
                             "WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.page_id = p.id) "
                             "AND NOT EXISTS (SELECT 1 FROM rejects r WHERE r.page_id = p.id)",
}


@dataclass
class Snapshot:
    content: dict[str, Counter]
    orphans: dict[str, int]
    runs: Counter
    chunks_not_done: int
    first_fetched: dict[str, float]  # page URL -> when it was first stored (epoch seconds)


def snapshot(home: Path) -> Snapshot:
    """What the command's embedded database holds (its server started, read and stopped)."""
    server = embedded.join(home / "data" / "pgdata")
    try:
        with psycopg.connect(server.url(embedded.EMBEDDED_DATABASE)) as conn:
            content = {name: Counter(conn.execute(sql).fetchall())
                       for name, sql in CONTENT.items()}
            orphans = {name: conn.execute(sql).fetchone()[0] for name, sql in ORPHANS.items()}
            runs = Counter(dict(conn.execute(
                "SELECT status, count(*) FROM crawl_runs GROUP BY status").fetchall()))
            chunks = conn.execute(
                "SELECT count(*) FROM backfill_chunks WHERE status <> 'done'").fetchone()[0]
            first_fetched = {url: when.timestamp() for url, when in conn.execute(
                "SELECT url, min(fetched_at) FROM pages GROUP BY url")}
    finally:
        server.leave()
    return Snapshot(content, orphans, runs, chunks, first_fetched)


@dataclass
class Difference:
    lost: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    swapped: list[str] = field(default_factory=list)  # which copy of a duplicate is the article


def compare(reference: Snapshot, final: Snapshot) -> Difference:
    """Rows of the reference missing from `final`, and rows `final` has beyond it. Two copies
    of one text whose roles swapped (the other copy kept as the article) are told apart."""
    missing = {name: reference.content[name] - final.content[name] for name in CONTENT}
    beyond = {name: final.content[name] - reference.content[name] for name in CONTENT}
    diff = Difference()
    for (url, digest) in list(missing["articles"]):
        for (other, other_digest) in list(beyond["articles"]):
            if other_digest == digest and missing["rejects"][(other, "duplicate")] \
                    and beyond["rejects"][(url, "duplicate")]:
                missing["articles"][(url, digest)] -= 1
                beyond["articles"][(other, digest)] -= 1
                missing["rejects"][(other, "duplicate")] -= 1
                beyond["rejects"][(url, "duplicate")] -= 1
                diff.swapped.append(f"article {url} is now {other}")
                break
    for name in CONTENT:
        diff.lost += [f"{name} {row}" for row in (+missing[name]).elements()]
        diff.extra += [f"{name} {row}" for row in (+beyond[name]).elements()]
    # One URL twice in articles, unless an extra row above says so already.
    counted = {url for url, _ in beyond["articles"].elements()}
    articles = Counter(url for url, _ in final.content["articles"].elements())
    diff.extra += [f"articles url {url} x{n}" for url, n in articles.items()
                   if n > 1 and url not in counted]
    return diff


# -- trials ---------------------------------------------------------------------------------

@dataclass
class Reference:
    snapshot: Snapshot
    seconds: float
    first_article: float | None  # seconds after the start
    last_article: float | None
    requests: Counter  # article URL -> requests


@dataclass
class Trial:
    number: int
    kind: str
    how: str  # "group" or "main"
    aimed: str  # "run": any moment of the reference's run; "crawl": of its article requests
    kill_after: float  # seconds after the start (for "main": after the crawl began), planned
    killed_at: float | None = None  # None: the command ended before
    progress: float = 0.0  # share of the reference's article requests made before the kill
    left_after_kill: list[str] = field(default_factory=list)
    rerun: Run | None = None
    first_article: float | None = None
    snapshot: Snapshot | None = None
    diff: Difference = field(default_factory=Difference)
    refetched: list[str] = field(default_factory=list)  # article URLs asked for again
    stored_refetched: list[str] = field(default_factory=list)  # ... though stored before
    strays: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def orphans(self) -> int:
        return sum(self.snapshot.orphans.values()) if self.snapshot else 0

    @property
    def running(self) -> int:
        return self.snapshot.runs["running"] if self.snapshot else 0

    @property
    def chunks_not_done(self) -> int:
        return self.snapshot.chunks_not_done if self.snapshot else 0

    def problems(self) -> list[str]:
        found = []
        if self.error:
            found.append(self.error)
        if self.rerun and self.rerun.code != 0:
            found.append("rerun " + ("did not end in time" if self.rerun.code is None
                                     else f"exited with {self.rerun.code}"))
        found += [f"lost {row}" for row in self.diff.lost[:5]]
        found += [f"duplicated {row}" for row in self.diff.extra[:5]]
        if self.snapshot:
            found += [f"{n} {name}" for name, n in self.snapshot.orphans.items() if n]
        if self.running:
            found.append(f"{self.running} crawl_runs left running")
        if self.chunks_not_done:
            found.append(f"{self.chunks_not_done} backfill chunks not done")
        found += [f"left after the kill: {p}" for p in self.left_after_kill]
        found += [f"left after the rerun: {p}" for p in self.strays]
        return found


def article_requests(network: LoopbackNetwork, host: str, since: float,
                     until: float = float("inf")) -> list[tuple[float, str]]:
    prefix = f"http://{host}/article/"
    return [(t, url) for t, url in list(network.log) if since <= t < until
            and url.startswith(prefix)]


def reference_run(command: Command, network: LoopbackNetwork, root: Path, port: int,
                  timeout: float) -> Reference:
    home = root / f"reference-{command.name}"
    home.mkdir()
    done = run(command, environment(network, home, port), home, "run", timeout)
    if done.code != 0:
        raise SystemExit(f"the reference {command.name} run exited with {done.code}; "
                         f"its output: {done.output}\n{done.output.read_text()[-3000:]}")
    requests = article_requests(network, command.host, done.started)
    times = [t - done.started for t, _ in requests]
    return Reference(snapshot(home), done.seconds, min(times, default=None),
                     max(times, default=None), Counter(url for _, url in requests))


def kill_trial(trial: Trial, command: Command, reference: Reference, network: LoopbackNetwork,
               root: Path, port: int, timeout: float) -> None:
    """Start, SIGKILL, rerun to completion, compare."""
    home = root / f"trial-{trial.number:02d}"
    home.mkdir()
    env = environment(network, home, port)
    with (home / "killed.log").open("w") as log:
        started = time.monotonic()
        process = subprocess.Popen(command.argv, env=env, stdout=log, stderr=log,
                                   start_new_session=True)
        deadline = started + trial.kill_after
        if trial.how == "main":  # once its crawl runs, so there is a crawl to orphan
            while process.poll() is None and time.monotonic() < started + timeout and not (
                    article_requests(network, command.host, started) and crawl_running(home)):
                time.sleep(0.1)
            deadline = time.monotonic() + trial.kill_after
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if process.poll() is None:
            trial.killed_at = time.monotonic() - started
            if trial.how == "group":
                os.killpg(process.pid, signal.SIGKILL)
            else:
                os.kill(process.pid, signal.SIGKILL)
            process.wait()
    before = article_requests(network, command.host, started)
    trial.progress = len(before) / max(1, sum(reference.requests.values()))
    if trial.how == "main":
        # PostgreSQL is shared with the rerun; the crawl and Prefect server must die with it.
        trial.left_after_kill = settled(home, spare_postgres=True)
    trial.rerun = run(command, env, home, "rerun", timeout)
    requests = article_requests(network, command.host, trial.rerun.started)
    if requests:
        trial.first_article = requests[0][0] - trial.rerun.started
    fetched = Counter(url for _, url in article_requests(network, command.host, started))
    trial.refetched = sorted(url for url, n in fetched.items() if n > reference.requests[url])
    trial.strays = settled(home)
    try:
        trial.snapshot = snapshot(home)
    except Exception as exc:  # the database itself is broken: that is the finding
        trial.error = f"could not read the database: {exc}"
        return
    trial.diff = compare(reference.snapshot, trial.snapshot)
    # Pages keep their first fetch time when fetched again with the same bytes.
    stored_before = trial.snapshot.first_fetched
    trial.stored_refetched = [url for url in trial.refetched
                              if stored_before.get(url, float("inf")) < trial.rerun.started_at]


def schedule(trials: int, main_kills: int, references: dict[str, Reference],
             rng: random.Random) -> list[Trial]:
    """Group kills alternating nightly and backfill (month and day chunks in turn); each
    command's kills aimed in turn at a moment uniform over the reference's whole run (startup
    included) and over its article requests (first to last). Then kills of the main process
    alone, a random 0-3 s after its crawl began."""
    backfills = ["backfill-month", "backfill-day"]
    planned: list[Trial] = []
    for n in range(trials):
        kind = "nightly" if n % 2 == 0 else backfills[(n // 2) % 2]
        reference = references[kind]
        if sum(t.kind == kind for t in planned) % 2 == 0 or reference.first_article is None:
            planned.append(Trial(n + 1, kind, "group", "run",
                                 rng.uniform(0, reference.seconds)))
        else:
            planned.append(Trial(n + 1, kind, "group", "crawl", rng.uniform(
                reference.first_article, reference.last_article)))
    kinds = ["nightly", *backfills]
    for n in range(main_kills):
        planned.append(Trial(trials + n + 1, kinds[n % 3], "main", "crawl", rng.uniform(0, 3)))
    return planned


# -- report ---------------------------------------------------------------------------------

HEADER = (f"{'#':>3} {'command':<15} {'kill':<5} {'aimed':<5} {'at s':>6} {'prog':>5} "
          f"{'rerun s':>7} {'1st art s':>9} {'exit':>4} {'lost':>4} {'dup':>4} {'orph':>4} "
          f"{'swap':>4} {'refetch':>7} {'stored':>6} {'aborted':>7} {'running':>7} {'!done':>5} "
          f"{'strays':>6}  result")


def row(trial: Trial) -> str:
    rerun = trial.rerun
    at = f"{trial.killed_at:6.1f}" if trial.killed_at is not None else f"{'ended':>6}"
    first = f"{trial.first_article:9.1f}" if trial.first_article is not None else f"{'-':>9}"
    code = "-" if rerun is None or rerun.code is None else str(rerun.code)
    aborted = trial.snapshot.runs["aborted"] if trial.snapshot else 0
    chunks = "-" if trial.kind == "nightly" else str(trial.chunks_not_done)
    strays = len(trial.strays) + len(trial.left_after_kill)
    return (f"{trial.number:>3} {trial.kind:<15} {trial.how:<5} {trial.aimed:<5} {at} "
            f"{trial.progress:5.0%} {rerun.seconds if rerun else 0:7.1f} {first} {code:>4} "
            f"{len(trial.diff.lost):>4} {len(trial.diff.extra):>4} {trial.orphans:>4} "
            f"{len(trial.diff.swapped):>4} {len(trial.refetched):>7} "
            f"{len(trial.stored_refetched):>6} {aborted:>7} "
            f"{trial.running:>7} {chunks:>5} {strays:>6}  {'FAIL' if trial.problems() else 'ok'}")


def summary(trials: list[Trial], references: dict[str, Reference], seconds: float) -> str:
    kinds = Counter(t.kind.split("-")[0] for t in trials if t.how == "group")
    reruns = [t.rerun.seconds for t in trials if t.rerun]
    firsts = [t.first_article for t in trials if t.first_article is not None]
    failed = [t.number for t in trials if t.problems()]
    return (f"{len(trials)} trials ({kinds['nightly']} nightly, {kinds['backfill']} backfill, "
            f"{sum(t.how == 'main' for t in trials)} main-process kills) in {seconds / 60:.1f} "
            f"min: {sum(len(t.diff.lost) for t in trials)} rows lost, "
            f"{sum(len(t.diff.extra) for t in trials)} duplicated, "
            f"{sum(t.orphans for t in trials)} orphaned, "
            f"{sum(t.running for t in trials)} crawl_runs left running, "
            f"{sum(t.chunks_not_done for t in trials)} chunks not done, "
            f"{sum(len(t.strays) + len(t.left_after_kill) for t in trials)} stray processes, "
            f"{sum(t.rerun is not None and t.rerun.code != 0 for t in trials)} failed reruns; "
            f"{sum(len(t.refetched) for t in trials)} article URLs fetched again "
            f"({sum(len(t.stored_refetched) for t in trials)} of them stored before the kill), "
            f"{sum(len(t.diff.swapped) for t in trials)} duplicate pairs swapped; rerun median "
            f"{statistics.median(reruns) if reruns else 0:.1f} s (references "
            + ", ".join(f"{k} {r.seconds:.1f} s" for k, r in references.items())
            + f"), first article request after median "
            f"{statistics.median(firsts) if firsts else 0:.1f} s"
            + (f"; FAILED: trials {', '.join(map(str, failed))}" if failed else "; all ok"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12,
                        help="group kills, alternating nightly and backfill (default: 12)")
    parser.add_argument("--main-kills", type=int, default=3,
                        help="kills of the main process alone (default: 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random schedule")
    parser.add_argument("--articles", type=int, default=400, help="articles of the nightly site")
    parser.add_argument("--per-day", type=int, default=3, help="articles a day of the archive")
    parser.add_argument("--delay", type=float, default=0.05,
                        help="seconds each article request waits (default: 0.05)")
    parser.add_argument("--keep", action="store_true", help="keep every trial's folder")
    args = parser.parse_args()

    began = time.monotonic()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="akhbar-killmatrix-"))
    network = LoopbackNetwork({FRESH: fresh_site(args.articles), VAULT: vault_site(args.per_day)})
    # A killed crawl resets its connections; http.server would print each one's traceback.
    network._server.handle_error = lambda request, client_address: None
    for host in (FRESH, VAULT):
        network.delays[f"http://{host}/article/"] = args.delay
    port = free_port()  # where no `akhbar ui` answers, so each command starts its own server
    cmds = commands(write_seeds(root / "seeds"))
    trials: list[Trial] = []
    with network:
        print(f"akhbar kill matrix: seed {args.seed}, folder {root}", flush=True)
        references = {}
        for name, command in cmds.items():
            references[name] = ref = reference_run(command, network, root, port, timeout=900)
            content = ref.snapshot.content
            print(f"reference {name}: {ref.seconds:.1f} s, first article request after "
                  f"{ref.first_article or 0:.1f} s; {sum(content['pages'].values())} pages, "
                  f"{sum(content['articles'].values())} articles, "
                  f"{sum(content['rejects'].values())} rejects "
                  f"({', '.join(sorted({r for _, r in content['rejects']}))})", flush=True)
        print(HEADER, flush=True)
        for trial in schedule(args.trials, args.main_kills, references, rng):
            reference = references[trial.kind]
            kill_trial(trial, cmds[trial.kind], reference, network, root, port,
                       timeout=max(300.0, 5 * reference.seconds))
            trials.append(trial)
            print(row(trial), flush=True)
    for trial in trials:
        home = root / f"trial-{trial.number:02d}"
        if trial.problems():
            print(f"trial {trial.number} ({trial.kind}, {trial.how} kill after "
                  f"{trial.kill_after:.2f} s; logs and database in {home}):")
            for problem in trial.problems():
                print(f"    {problem}")
            if trial.rerun and trial.rerun.code != 0:
                tail = trial.rerun.output.read_text(errors="replace").strip().splitlines()[-5:]
                print("\n".join(f"    | {line[:200]}" for line in tail))
        elif not args.keep:
            shutil.rmtree(home, ignore_errors=True)
        if trial.stored_refetched:
            print(f"trial {trial.number}: {len(trial.stored_refetched)} article URLs stored "
                  f"before the kill were fetched again, e.g. {unquote(trial.stored_refetched[0])}")
    print(summary(trials, references, time.monotonic() - began))
    if not args.keep and not any(t.problems() for t in trials):
        shutil.rmtree(root, ignore_errors=True)
    return 1 if any(t.problems() for t in trials) else 0


if __name__ == "__main__":
    sys.exit(main())
