"""The `import_warc` flow: load article responses from WARC files through the same storage,
extraction and loading path as a crawl."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from akhbar.extract.arabic import guess_language
from akhbar.extract.encoding import detect_encoding
from akhbar.extract.html import decode_html
from akhbar.extract.urls import host_in
from akhbar.flows.tasks import (
    crawl_run,
    extract_pending,
    io,
    is_transient,
    prepare,
    proxy_to_use,
)
from akhbar.seeds import Politeness, Seed, load_seeds
from akhbar.spiders.outcomes import Outcome, Tally
from akhbar.spiders.store import KEPT_HEADERS, PageStore
from akhbar.spiders.warc import ArchivedResponse, WarcError, open_warc, read_html_responses
from akhbar.sql import connect, database_url, repository
from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from prefect.states import Failed

SCRIPT_LANGUAGES = ("ar", "fa", "ur")  # stored, then the language gate decides


def web_seed(url: str) -> Seed:
    """A seed for a site met in an archive that has no seed file (`--all-arabic`)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "unknown").lower()
    site_id = "web-" + "".join(c if c.isalnum() else "-" for c in host.removeprefix("www."))
    return Seed.model_construct(
        id=site_id[:60], name=host, base_url=f"https://{host}/", domains=(host,),
        language="ar", timezone="UTC", enabled=False, verified=False,
        article_patterns=(".",), deny_patterns=(), host_aliases={}, url_rewrites=(),
        politeness=Politeness())


def _warc_run_name() -> str:
    paths = flow_run.parameters["paths"]
    return f"import-warc {Path(paths[0]).name}" + (f" +{len(paths) - 1}" if len(paths) > 1 else "")


def _site_of(response: ArchivedResponse, seeds: list[Seed], all_arabic: bool) -> Seed | None:
    """The seed a response belongs to; with all_arabic, an ad-hoc one for Arabic-script pages."""
    seed = next((s for s in seeds if host_in(response.url, s.domains)), None)
    if seed is not None or not all_arabic:
        return seed
    encoding = detect_encoding(response.body, response.headers.get("content-type"))
    if guess_language(decode_html(response.body, encoding))[0] not in SCRIPT_LANGUAGES:
        return None
    return web_seed(response.url)


@contextmanager
def _noting_bad_file(errors: list[str]) -> Iterator[None]:
    """Note a file that cannot be read (to its end) in `errors` and go on with the next one;
    a download that may work on another try fails the task, for its retries."""
    try:
        yield
    except WarcError as exc:
        if is_transient(exc):
            raise
        errors.append(str(exc))


@task(cache_policy=NONE)
def store_warc_pages(locations: list[str], seeds: list[Seed], all_arabic: bool,
                     proxy: str | None = None) -> tuple[list[tuple[Seed, int, int]], list[str]]:
    """Store the article responses of WARC files: (seed, pages stored, pages already held)
    per site, and the errors of files that could not be read to their end (what was read is
    stored)."""
    run_id = str(flow_run.get_id() or "local")
    url = database_url()
    sites: dict[str, tuple[Seed, PageStore]] = {}
    stored: Counter[tuple[str, bool]] = Counter()
    errors: list[str] = []
    try:
        for location in locations:
            with _noting_bad_file(errors), open_warc(location, proxy_to_use(proxy)) as stream:
                for response in read_html_responses(stream, location):
                    seed = _site_of(response, seeds, all_arabic)
                    if seed is None or not seed.is_article_url(seed.canonical_url(response.url)):
                        continue
                    if seed.id not in sites:
                        with connect() as conn:
                            repository.register_source(conn, seed)
                            crawl_run_id = repository.open_crawl_run(conn, seed.id, run_id,
                                                                     "import_warc")
                        sites[seed.id] = (seed, PageStore(url, seed.id, crawl_run_id))
                    stored[seed.id, sites[seed.id][1].add_page({
                        "url": seed.canonical_url(response.url), "final_url": response.url,
                        "http_status": response.status,
                        "headers": {k: v for k, v in response.headers.items() if k in KEPT_HEADERS},
                        "encoding": detect_encoding(response.body,
                                                    response.headers.get("content-type"),
                                                    seed.extraction.encoding),
                        "body": response.body, "lastmod": None,
                    })] += 1
    finally:
        for _, store in sites.values():
            store.close()
    return [(seed, stored[seed.id, True], stored[seed.id, False])
            for seed, _ in sites.values()], errors


@flow(name="import_warc", flow_run_name=_warc_run_name)
def import_warc(paths: list[str], all_arabic: bool = False, seeds_dir: str | None = None,
                proxy: str | None = None) -> list[dict]:
    """Load the article responses of WARC files (paths or URLs) for the seeds' sites, or for
    every Arabic-script page with `all_arabic`."""
    proxy_to_use(proxy)  # credentials here would be stored by Prefect: refused
    seeds = load_seeds(Path(seeds_dir) if seeds_dir else None)
    prepare()
    summaries = []
    sites, errors = io(store_warc_pages)(paths, seeds, all_arabic, proxy)
    for seed, stored, same in sites:
        with crawl_run(seed, "import_warc") as run:  # the row store_warc_pages opened
            tally = Tally.empty()
            tally.counts["article"].update({Outcome.STORED.value: stored,
                                            Outcome.SAME.value: same})
            with connect() as conn:
                repository.record_outcomes(conn, run.id, tally.to_json(), {
                    "discovered": stored + same, "fetched": stored + same,
                    "pages_stored": stored, "errors": 0, "robots_disallowed": 0,
                    "not_modified": 0})
            extract_pending(seed, run.id)
            if errors:  # what was read is loaded; the run fails, naming the files
                run.fail("; ".join(errors))
        summaries.append(run.row)
    if errors:  # no traceback: the message says which file and where
        message = "\n".join(errors)
        return Failed(message=message, data=WarcError(message))
    return summaries
