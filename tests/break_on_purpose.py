# ruff: noqa: E501  (a table of exact source lines)
"""Break each behaviour on purpose, run the tests that name it, expect red, restore.

`python tests/break_on_purpose.py [N ...]` prints one line per breakage; every one must be
RED. Add a line here with every behaviour a test is written for.
"""
import subprocess
import sys
import time
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
BREAKS = [
  ("Retry-After ignored", "spiders/middlewares.py",
   'delay = retry_after_seconds(response.headers.get("Retry-After"))', 'delay = None',
   "tests/test_outcomes.py::test_every_article_failure_is_classified_recorded_and_retried_as_it_deserves"),
  ("yield-drop drift rule removed", "flows/health.py",
   "            and yield_ < (1 - YIELD_DROP) * median(past_yield):", "            and False:",
   "tests/test_monitoring.py::test_drift_rules"),
  ("stale rejects never cleared by reextract", "sql/repository.py",
   '            conn.execute(query("clear_rejects_of_pages"),', '            (lambda *a: None)(query("clear_rejects_of_pages"),',
   "tests/test_reextract.py"),
  ("per-site lock not taken", "spiders/store.py",
   '        while not self.conn.execute(query("try_site_lock"),', '        while False and self.conn.execute(query("try_site_lock"),',
   "tests/test_monitoring.py::test_a_site_is_crawled_by_one_run_at_a_time tests/test_monitoring.py::test_a_busy_site_fails_with_the_holder_named"),
  ("max_articles ignored", "spiders/news.py",
   "        if cap is not None and len(self.requested) >= cap:", "        if False:",
   "tests/test_outcomes.py::test_max_articles_reaches_every_article_over_several_nights"),
  ("validators saved after errors", "spiders/news.py",
   "        if not self.window and reason == \"finished\" and not retry and not cut_short:", "        if not self.window:",
   "tests/test_outcomes.py::test_every_article_failure_is_classified_recorded_and_retried_as_it_deserves tests/test_outcomes.py::test_max_articles_reaches_every_article_over_several_nights"),
  ("gone articles asked again nightly", "spiders/news.py",
   "        if failure and failure.permanent and failure.retry_after \\", "        if False and failure and failure.permanent and failure.retry_after \\",
   "tests/test_outcomes.py::test_every_article_failure_is_classified_recorded_and_retried_as_it_deserves"),
  ("changes compared with our fetch time", "spiders/news.py",
   "            if held.source_date is not None and changed_at <= held.source_date:", "            if changed_at <= max(filter(None, (held.source_date, held.fetched_at))):",
   "tests/test_outcomes.py::test_a_newer_lastmod_still_earlier_than_our_fetch_is_fetched_once"),
  ("timeouts retried like 5xx", "spiders/middlewares.py",
   "                and request.meta.get(\"retry_times\", 0) >= TIMEOUT_RETRIES:", "                and False:",
   "tests/test_outcomes.py::test_every_article_failure_is_classified_recorded_and_retried_as_it_deserves"),
  ("redirect loops dropped by Scrapy's filter", "spiders/news.py",
   "                              dont_filter=True, cb_kwargs=cb_kwargs or {},", "                              dont_filter=False, cb_kwargs=cb_kwargs or {},",
   "tests/test_outcomes.py::test_every_article_failure_is_classified_recorded_and_retried_as_it_deserves"),
  ("degraded threshold ignored", "spiders/outcomes.py",
   "    if asked and failed / asked > max_error_share:", "    if False:",
   "tests/test_outcomes.py::test_judge tests/test_outcomes.py::test_every_article_failure_is_classified_recorded_and_retried_as_it_deserves"),
  ("HttpError counted as robots (last round's bug)", "spiders/outcomes.py",
   "    if isinstance(exception, HttpError):", "    if isinstance(exception, HttpError) and False:",
   "tests/test_outcomes.py::test_sites_that_fail_whole_are_failed_with_their_reason"),
  ("nightly horizon ignored", "spiders/news.py",
   "            if when is not None and when < self.cutoff:", "            if False:",
   "tests/test_outcomes.py::test_first_nightly_of_a_site_is_bounded"),
  ("SIGTERM not handled", "flows/cli.py",
   "    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None", "    previous = signal.getsignal(signal.SIGTERM) if in_main_thread else None",
   "tests/test_shutdown.py::test_an_interrupted_nightly_stops_at_once_and_leaves_nothing"),
  ("dead runs not reconciled", "flows/tasks.py",
   "    io(abort_dead_runs)()", "    pass",
   "tests/test_shutdown.py::test_a_killed_nightly_reruns_at_once_to_the_same_rows"),
  ("crawl ignores a lost database", "spiders/news.py",
   "        deferred_from_coro(self.crawler.engine.close_spider_async(reason=\"database_unavailable\"))", "        pass",
   "tests/test_shutdown.py::test_a_crawl_stops_within_seconds_when_the_database_goes"),
  ("chunks done despite failures", "flows/backfill.py",
   "    retry = Tally.from_json(run[\"outcomes\"]).retryable_failures()\n    if retry:", "    retry = 0\n    if run[\"status\"] == \"never\":",
   "tests/test_backfill.py::test_a_backfill_while_the_site_is_down_gets_everything_once_it_is_up"),
  ("temporary Prefect server in the terminal's process group", "flows/serve.py",
   "        env=env, start_new_session=True, stdout=subprocess.DEVNULL)", "        env=env, stdout=subprocess.DEVNULL)",
   "tests/test_shutdown.py::test_an_interrupted_nightly_stops_at_once_and_leaves_nothing"),
  ("port ignored in scope", "extract/urls.py",
   "                port == (int(wanted) if wanted else DEFAULT_PORTS.get(parts.scheme.lower())):", "                True:",
   "tests/test_spider_discovery.py"),
  ("an archive day taken for a change", "spiders/discovery.py",
   "        return None if self.day_only else self.lastmod or self.published", "        return self.lastmod or self.published",
   "tests/test_outcomes.py::test_an_archive_day_is_no_sign_that_an_article_changed"),
  ("NUL bytes kept for the parser", "extract/article.py",
   "        tree = parse_html(without_control_characters(text))", "        tree = parse_html(text)",
   "tests/test_extract_article.py::test_a_few_nul_bytes_are_removed_not_a_reason_to_reject tests/test_extract_golden.py"),
  ("damaged UTF-8 re-guessed", "extract/encoding.py",
   "    if _decodes_cleanly(body, \"utf-8\") or _mostly_utf8(body):", "    if _decodes_cleanly(body, \"utf-8\"):",
   "tests/test_extract_article.py::test_a_utf8_page_with_a_few_broken_bytes_stays_utf8 tests/test_extract_golden.py"),
  ("proxy passed to Prefect as a parameter", "flows/cli.py",
   "        os.environ[\"AKHBAR_PROXY\"] = proxy\n        get_settings.cache_clear()\n    return None", "        return proxy\n    return None",
   "tests/test_backfill.py::test_proxy_credentials_never_reach_prefect"),
  ("footer inside the article taken for the page's", "extract/header.py",
   '            if not any(a.tag == "article" or ARTICLE_CONTAINER.search(', '            if True or not any(a.tag == "article" or ARTICLE_CONTAINER.search(',
   "tests/test_extract_golden.py"),
  ("main text not protected from furniture rules", "extract/html.py",
   "    protected = main_content(root)", "    protected = set()",
   "tests/test_extract_golden.py"),
  ("site name from feed titles ignored", "extract/metadata.py",
   "_feed_site_name(t) for t in FEED_TITLES(tree)]", "_feed_site_name(t) for t in []]",
   "tests/test_extract_header.py::test_a_blog_name_in_the_h1_is_known_by_the_feed_title tests/test_extract_golden.py"),
  ("byline near the headline not read", "extract/metadata.py",
   "    authors = (persons(header.header_bylines(headline_element), site_names)", "    authors = (persons([], site_names)",
   "tests/test_extract_header.py::test_a_plain_byline_under_the_headline_beats_meta_and_sidebar_names tests/test_extract_golden.py"),
  ("the site's own name taken for a person", "extract/metadata.py",
   "def _is_site(name: str, site_names: frozenset[str]) -> bool:\n    lowered = name.lower()", "def _is_site(name: str, site_names: frozenset[str]) -> bool:\n    return False\n    lowered = name.lower()",
   "tests/test_extract_golden.py"),
  ("times not in the site's zone", "extract/dates.py",
   "    return moment.astimezone(ZoneInfo(timezone)) if convert else moment", "    return moment",
   "tests/test_extract_header.py::test_times_keep_their_offset_when_the_site_zone_is_unknown tests/test_extract_golden.py"),
  ("deck under the headline left in the text", "extract/header.py",
   "            if is_deck:\n", "            if False:\n",
   "tests/test_extract_golden.py"),
  ("trailing agency tag kept", "extract/article.py",
   "    paragraphs, closing_agency = without_trailing_tag(paragraphs)", "    closing_agency = None",
   "tests/test_extract_golden.py"),
  ("next/previous and tag link boxes kept", "extract/html.py",
   "    drops += _link_boxes(root, protected)", "    pass",
   "tests/test_extract_header.py::test_next_and_previous_links_inside_the_body_go tests/test_extract_golden.py"),
  ("captions outside figcaption kept", "extract/html.py",
   "    drops += [box for image in IMAGES(root) if (box := _caption_box(image)) is not None]", "    pass",
   "tests/test_extract_golden.py"),
  ("<br>-separated body left to trafilatura", "extract/html.py",
   "        body = _line_broken_body(tree)", "        body = None",
   "tests/test_extract_golden.py"),
  ("class names matched case-sensitively", "extract/header.py",
   "            self._marked = [(e, f\"{e.get('class', '')} {e.get('id', '')}\".lower())", "            self._marked = [(e, f\"{e.get('class', '')} {e.get('id', '')}\")",
   "tests/test_extract_header.py::test_a_date_class_is_matched_in_any_case tests/test_extract_golden.py"),
  ("masthead's today taken for the date", "extract/header.py",
   "        marked = [e for e in self.marked(DATE_CLASS) if not NOT_DATE_CLASS.search(", "        marked = [e for e in self.marked(DATE_CLASS) if True or not NOT_DATE_CLASS.search(",
   "tests/test_extract_header.py::test_the_mastheads_date_of_today_is_not_the_articles tests/test_extract_golden.py"),
  ("reading times kept", "extract/clean.py",
   "    + patterns(READING_TIME)", "    + \"(?!x)x\"",
   "tests/test_extract_clean.py tests/test_extract_golden.py"),
  ("site name before the separator kept in the title", "extract/header.py",
   "    if kept and len(kept) < len(parts):", "    if False:",
   "tests/test_extract_header.py::test_the_site_name_before_the_separator_leaves_the_title tests/test_extract_golden.py"),
  ("word count differs from camel-tools'", "extract/arabic.py",
   "    return sum(1 if word.isalnum() else", "    return sum(1 if word.isalnum() or len(word) > 3 else",
   "tests/test_extract_clean.py"),
  ("leaks not grouped by kind", "extract/scoring.py",
   "        (\"byline\", bool(BYLINE.match(flat) or BYLINE_LINE.match(flat))", "        (\"other\", bool(BYLINE.match(flat) or BYLINE_LINE.match(flat))",
   "tests/test_eval.py"),
  ("section name taken for the headline", "extract/metadata.py",
   "    if h1 is not None and clean_text(h1.text_content()) in labels:", "    if False:",
   "tests/test_extract_header.py::test_a_section_name_in_the_h1_is_not_the_headline"),
  ("letters counted in the wrong set", "extract/arabic.py",
   "    persian = count_matches(PERSIAN_LETTERS, text) / arabic", "    persian = count_matches(URDU_LETTERS, text) / arabic",
   "tests/test_extract_article.py tests/test_extract_clean.py"),
  ("a long comment with <br>s taken for the body", "extract/html.py",
   "            own > sum(len(p.text_content()) for p in tree.iter(\"p\")):", "            True:",
   "tests/test_extract_header.py::test_a_long_comment_with_line_breaks_is_not_taken_for_the_body"),
]
only = sys.argv[1:]
for i, (name, path, old, new, tests) in enumerate(BREAKS):
    if only and str(i) not in only:
        continue
    file = f"{ROOT}/{path}"
    text = open(file).read()
    if text.count(old) != 1:
        print(f"[{i}] {name}: PATTERN NOT FOUND ({text.count(old)})", flush=True)
        continue
    open(file, "w").write(text.replace(old, new))
    t = time.time()
    try:
        r = subprocess.run([f"{ROOT}/.venv/bin/python", "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests.split()],
                           cwd=ROOT, capture_output=True, text=True, timeout=900)
        last = [line for line in r.stdout.splitlines()
                if " passed" in line or " failed" in line or "error" in line][-1:]
        verdict = "RED (caught)" if r.returncode != 0 else "GREEN (NOT caught!)"
    finally:
        open(file, "w").write(text)
    print(f"[{i}] {name}: {verdict} in {time.time()-t:.0f}s {last}", flush=True)
