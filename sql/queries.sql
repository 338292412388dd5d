-- Application queries, one per `-- name:` block, with %(name)s parameters (psycopg).

-- name: upsert_source
INSERT INTO sources (id, name, base_url, language, timezone, enabled)
VALUES (%(id)s, %(name)s, %(base_url)s, %(language)s, %(timezone)s, %(enabled)s)
ON CONFLICT (id) DO UPDATE
SET name = excluded.name, base_url = excluded.base_url, language = excluded.language,
    timezone = excluded.timezone, enabled = excluded.enabled, updated_at = now()
WHERE (sources.name, sources.base_url, sources.language, sources.timezone, sources.enabled)
      IS DISTINCT FROM
      (excluded.name, excluded.base_url, excluded.language, excluded.timezone, excluded.enabled);

-- name: open_crawl_run
-- Created once per site and flow run (reopened on a retry), with the process that works on
-- it, so a later run can tell a dead one from a live one.
INSERT INTO crawl_runs (source_id, flow_run_id, flow_name, hostname, pid)
VALUES (%(source_id)s, %(flow_run_id)s, %(flow_name)s, %(hostname)s, %(pid)s)
ON CONFLICT (flow_run_id, source_id) DO UPDATE
SET status = 'running', finished_at = NULL, hostname = excluded.hostname, pid = excluded.pid
RETURNING id;

-- name: record_crawl
UPDATE crawl_runs
SET discovered = %(discovered)s, fetched = %(fetched)s, pages_stored = %(pages_stored)s,
    errors = %(errors)s, robots_disallowed = %(robots_disallowed)s,
    not_modified = %(not_modified)s
WHERE id = %(crawl_run_id)s;

-- name: record_extraction
UPDATE crawl_runs
SET new_articles = new_articles + %(new_articles)s,
    updated_articles = updated_articles + %(updated_articles)s,
    unchanged = unchanged + %(unchanged)s,
    duplicates = duplicates + %(duplicates)s,
    rejected = rejected + %(rejected)s,
    words_total = words_total + %(words_total)s
WHERE id = %(crawl_run_id)s;

-- name: close_crawl_run
UPDATE crawl_runs SET status = %(status)s, error = %(error)s, finished_at = now()
WHERE id = %(crawl_run_id)s
RETURNING id AS crawl_run_id;

-- name: crawl_run_outcomes
SELECT outcomes FROM crawl_runs WHERE id = %(crawl_run_id)s;

-- name: crawl_run_rows
-- What runs did, one row each: the figures the summary, the health report and the CLI show.
-- `articles` counts the run's articles that are not duplicates, the same way for every run.
SELECT id AS crawl_run_id, source_id, flow_run_id, flow_name, status, error, discovered,
       fetched, pages_stored, new_articles, updated_articles, unchanged, duplicates,
       rejected, errors, robots_disallowed, not_modified, words_total, outcomes,
       new_articles + updated_articles + unchanged AS articles,
       extract(epoch FROM coalesce(finished_at, now()) - started_at)::float8 AS duration
FROM crawl_runs
WHERE id = ANY(%(crawl_run_ids)s)
ORDER BY source_id, id;

-- name: held_dates_of_source
-- What the spider already has for a site: per URL, the newest date the source gave for it at
-- any fetch, and when we last fetched it.
SELECT url, max(lastmod) AS lastmod, max(fetched_at) AS fetched_at
FROM pages
WHERE source_id = %(source_id)s
GROUP BY url;

-- name: note_source_date
-- A held page the source now dates (no refetch needed: our copy is newer than that date).
UPDATE pages SET lastmod = %(lastmod)s
WHERE id = (SELECT id FROM pages WHERE source_id = %(source_id)s AND url = %(url)s
            ORDER BY fetched_at DESC, id DESC LIMIT 1)
  AND lastmod IS NULL;

-- name: insert_page
-- A refetch with identical bytes only records the source's newer date for the page.
INSERT INTO pages (source_id, crawl_run_id, url, final_url, http_status, headers, encoding,
                   body, sha256, lastmod)
VALUES (%(source_id)s, %(crawl_run_id)s, %(url)s, %(final_url)s, %(http_status)s, %(headers)s,
        %(encoding)s, %(body)s, %(sha256)s, %(lastmod)s)
ON CONFLICT (url, sha256) DO UPDATE SET lastmod = excluded.lastmod
WHERE excluded.lastmod > pages.lastmod OR (pages.lastmod IS NULL AND excluded.lastmod IS NOT NULL)
RETURNING id, (xmax = 0) AS inserted;

-- name: pending_page_ids
-- The newest page of each URL of a site that has neither an article nor a reject yet.
SELECT p.id
FROM (SELECT DISTINCT ON (url) id, url FROM pages
      WHERE source_id = %(source_id)s ORDER BY url, fetched_at DESC, id DESC) AS p
WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.page_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM rejects r WHERE r.page_id = p.id)
ORDER BY p.id;

-- name: pending_pages_of_run
-- Pages a run stored after page `after_id` that are the newest of their URL and have neither
-- an article nor a reject: what a nightly extracts while its crawl is still storing pages
-- (a range of the primary key, however big the site).
SELECT p.id
FROM pages p
WHERE p.id > %(after_id)s AND p.crawl_run_id = %(crawl_run_id)s
  AND NOT EXISTS (SELECT 1 FROM pages n
                  WHERE n.source_id = p.source_id AND n.url = p.url
                    AND (n.fetched_at, n.id) > (p.fetched_at, p.id))
  AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.page_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM rejects r WHERE r.page_id = p.id)
ORDER BY p.id;

-- name: pages_by_id
-- What extraction needs of stored pages (run in binary: bodies come as they are, not in hex).
SELECT id, url, final_url, encoding, body, fetched_at
FROM pages WHERE id = ANY(%(page_ids)s) ORDER BY id;

-- name: create_article_staging
-- Dropped first: a caller may load twice inside one outer transaction.
DROP TABLE IF EXISTS pg_temp.article_staging;
CREATE TEMPORARY TABLE article_staging (LIKE articles INCLUDING DEFAULTS) ON COMMIT DROP;

-- name: copy_article_staging
COPY article_staging (source_id, url, title, subtitle, authors, published_at, modified_at,
                      section, tags, language, text, text_normalized, word_count, content_hash,
                      extractor_version, page_id, agency, lead_image, canonical_url, minhash)
FROM STDIN;

-- name: reject_exact_duplicates_staging
-- A staged page whose text is already stored for the site under another URL (or staged
-- under a smaller one) is a duplicate: recorded as a reject, not loaded.
WITH dupes AS (
    SELECT s.page_id, a.url AS same_as
    FROM article_staging s
    JOIN articles a ON a.source_id = s.source_id AND a.content_hash = s.content_hash
                   AND a.url <> s.url
    UNION ALL
    SELECT s.page_id, min(t.url)
    FROM article_staging s
    JOIN article_staging t ON t.source_id = s.source_id AND t.content_hash = s.content_hash
                          AND t.url < s.url
    GROUP BY s.page_id
), removed AS (
    DELETE FROM article_staging s USING dupes d WHERE s.page_id = d.page_id
)
INSERT INTO rejects (page_id, reason, detail, extractor_version)
SELECT DISTINCT ON (page_id) page_id, 'duplicate', 'same text as ' || same_as,
       %(extractor_version)s
FROM dupes ORDER BY page_id, same_as
ON CONFLICT (page_id) DO NOTHING
RETURNING page_id;

-- name: archive_changed_articles
-- Before the merge: the current version of each article whose title or text the merge is about
-- to change (the same staged row the merge picks: the newest page per URL, not older than the
-- article's own page) goes to article_versions. Same transaction as the merge.
INSERT INTO article_versions (article_id, title, subtitle, authors, published_at, modified_at,
                              text, content_hash, extractor_version, page_id, valid_from,
                              valid_to)
SELECT a.id, a.title, a.subtitle, a.authors, a.published_at, a.modified_at, a.text,
       a.content_hash, a.extractor_version, a.page_id, a.changed_at, now()
FROM (SELECT DISTINCT ON (url) url, title, content_hash, page_id
      FROM article_staging ORDER BY url, page_id DESC) s
JOIN articles a ON a.url = s.url
WHERE s.page_id >= a.page_id
  AND (a.title, a.content_hash) IS DISTINCT FROM (s.title, s.content_hash);

-- name: merge_article_staging
-- Insert new articles; update an existing one only when something in it changed and the page
-- is not older than the one it came from, so a re-run writes nothing. One row per write.
INSERT INTO articles AS a (source_id, url, title, subtitle, authors, published_at, modified_at,
                           section, tags, language, text, text_normalized, word_count,
                           content_hash, extractor_version, page_id, agency, lead_image,
                           canonical_url, minhash)
SELECT DISTINCT ON (url) source_id, url, title, subtitle, authors, published_at, modified_at,
       section, tags, language, text, text_normalized, word_count, content_hash,
       extractor_version, page_id, agency, lead_image, canonical_url, minhash
FROM article_staging
ORDER BY url, page_id DESC
ON CONFLICT (url) DO UPDATE
SET title = excluded.title, subtitle = excluded.subtitle, authors = excluded.authors,
    published_at = excluded.published_at, modified_at = excluded.modified_at,
    section = excluded.section, tags = excluded.tags, language = excluded.language,
    text = excluded.text, text_normalized = excluded.text_normalized,
    word_count = excluded.word_count, content_hash = excluded.content_hash,
    extractor_version = excluded.extractor_version, page_id = excluded.page_id,
    agency = excluded.agency, lead_image = excluded.lead_image,
    canonical_url = excluded.canonical_url, minhash = excluded.minhash, extracted_at = now(),
    -- changed: what the article says, not only the page or extractor it came from
    changed_at = CASE WHEN (a.title, a.subtitle, a.authors, a.published_at, a.modified_at,
                            a.section, a.tags, a.language, a.text, a.agency, a.lead_image,
                            a.canonical_url)
                           IS DISTINCT FROM
                           (excluded.title, excluded.subtitle, excluded.authors,
                            excluded.published_at, excluded.modified_at, excluded.section,
                            excluded.tags, excluded.language, excluded.text, excluded.agency,
                            excluded.lead_image, excluded.canonical_url)
                      THEN now() ELSE a.changed_at END
WHERE excluded.page_id >= a.page_id
  AND (a.title, a.subtitle, a.authors, a.published_at, a.modified_at, a.section, a.tags,
       a.language, a.text, a.content_hash, a.extractor_version, a.page_id, a.agency,
       a.lead_image, a.canonical_url)
      IS DISTINCT FROM
      (excluded.title, excluded.subtitle, excluded.authors, excluded.published_at,
       excluded.modified_at, excluded.section, excluded.tags, excluded.language, excluded.text,
       excluded.content_hash, excluded.extractor_version, excluded.page_id, excluded.agency,
       excluded.lead_image, excluded.canonical_url)
RETURNING id, url, minhash, (xmax = 0) AS inserted;

-- name: reject_superseded_staging
-- Staged pages whose article is held from another (newer) page of the same canonical URL.
INSERT INTO rejects (page_id, reason, detail, extractor_version)
SELECT s.page_id, 'duplicate', 'same article URL as page ' || a.page_id, s.extractor_version
FROM article_staging s JOIN articles a ON a.url = s.url
WHERE a.page_id <> s.page_id
ON CONFLICT (page_id) DO NOTHING
RETURNING page_id;

-- name: insert_reject
INSERT INTO rejects (page_id, reason, detail, extractor_version)
VALUES (%(page_id)s, %(reason)s, %(detail)s, %(extractor_version)s)
ON CONFLICT (page_id) DO UPDATE
SET reason = excluded.reason, detail = excluded.detail,
    extractor_version = excluded.extractor_version, created_at = now()
WHERE (rejects.reason, rejects.detail, rejects.extractor_version)
      IS DISTINCT FROM (excluded.reason, excluded.detail, excluded.extractor_version);

-- name: source_counts
SELECT s.id AS source_id,
       (SELECT count(*) FROM pages p WHERE p.source_id = s.id) AS pages,
       (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS articles,
       (SELECT count(*) FROM rejects r JOIN pages p ON p.id = r.page_id
        WHERE p.source_id = s.id) AS rejects
FROM sources s
WHERE s.id = ANY(%(source_ids)s)
ORDER BY s.id;

-- name: sample_article
-- The longest article of a site, its publication time in the site's timezone.
SELECT a.url, a.title, a.subtitle, a.authors, a.word_count, a.text,
       to_char(a.published_at AT TIME ZONE s.timezone, 'YYYY-MM-DD HH24:MI') || ' ' || s.timezone
           AS published_local
FROM articles a JOIN sources s ON s.id = a.source_id
WHERE a.source_id = %(source_id)s
ORDER BY a.word_count DESC, a.url LIMIT 1;

-- name: validators_of_source
SELECT url, etag, last_modified FROM discovery_validators WHERE source_id = %(source_id)s;

-- name: save_validator
INSERT INTO discovery_validators (source_id, url, etag, last_modified)
VALUES (%(source_id)s, %(url)s, %(etag)s, %(last_modified)s)
ON CONFLICT (source_id, url) DO UPDATE
SET etag = excluded.etag, last_modified = excluded.last_modified, checked_at = now()
WHERE (discovery_validators.etag, discovery_validators.last_modified)
      IS DISTINCT FROM (excluded.etag, excluded.last_modified);

-- name: done_chunks
SELECT chunk_start, chunk_end FROM backfill_chunks
WHERE source_id = %(source_id)s AND status = 'done';

-- name: start_chunk
INSERT INTO backfill_chunks (source_id, chunk_start, chunk_end)
VALUES (%(source_id)s, %(chunk_start)s, %(chunk_end)s)
ON CONFLICT (source_id, chunk_start, chunk_end) DO UPDATE SET started_at = now()
WHERE backfill_chunks.status <> 'done';

-- name: finish_chunk
-- `done` only when nothing in the chunk needs asking again; otherwise `pending`, with why.
UPDATE backfill_chunks
SET status = CASE WHEN %(done)s THEN 'done' ELSE 'pending' END, error = %(error)s,
    finished_at = now(), discovered = %(discovered)s, fetched = %(fetched)s,
    new_articles = %(new_articles)s
WHERE source_id = %(source_id)s AND chunk_start = %(chunk_start)s AND chunk_end = %(chunk_end)s;

-- name: replace_article_bands
-- The LSH bands of one article's signature (its old ones removed first).
WITH gone AS (DELETE FROM article_bands WHERE article_id = %(article_id)s)
INSERT INTO article_bands (band, hash, article_id)
SELECT band, hash, %(article_id)s
FROM unnest(%(bands)s::smallint[], %(hashes)s::bigint[]) AS b (band, hash)
ON CONFLICT DO NOTHING;

-- name: near_duplicate_candidates
-- Articles sharing at least one LSH band with the given signature's bands.
SELECT DISTINCT a.id, a.minhash, a.cluster_id
FROM article_bands b JOIN articles a ON a.id = b.article_id
WHERE (b.band, b.hash) IN (SELECT * FROM unnest(%(bands)s::smallint[], %(hashes)s::bigint[]))
  AND a.id <> %(article_id)s;

-- name: set_cluster
UPDATE articles SET cluster_id = %(cluster_id)s
WHERE (id = %(article_id)s OR cluster_id = ANY(%(merged)s))
  AND cluster_id IS DISTINCT FROM %(cluster_id)s;

-- name: recent_runs_of_source
-- The site's last finished nightly runs before this one, newest first, for its health
-- baseline; `articles` as in crawl_run_rows.
SELECT new_articles + updated_articles + unchanged AS articles, fetched, rejected,
       words_total, status
FROM crawl_runs
WHERE source_id = %(source_id)s AND id < %(crawl_run_id)s
  AND status IN ('completed', 'degraded') AND flow_name = 'nightly'
ORDER BY id DESC
LIMIT %(limit)s;

-- name: rejects_by_reason
SELECT r.reason, count(*) AS pages
FROM rejects r JOIN pages p ON p.id = r.page_id
WHERE p.crawl_run_id = %(crawl_run_id)s
GROUP BY r.reason ORDER BY r.reason;

-- name: crawl_run_of_flow_run
SELECT id FROM crawl_runs WHERE flow_run_id = %(flow_run_id)s AND source_id = %(source_id)s;

-- name: latest_page_ids
-- The newest page of every URL of a site, fetched since a date (all when NULL), whose id is
-- in [first_id, last_id] (either end open when NULL): a part of a re-extraction.
SELECT id FROM (
    SELECT DISTINCT ON (url) id, fetched_at FROM pages
    WHERE source_id = %(source_id)s ORDER BY url, fetched_at DESC, id DESC) AS newest
WHERE (%(since)s::timestamptz IS NULL OR fetched_at >= %(since)s::timestamptz)
  AND (%(first_id)s::bigint IS NULL OR id >= %(first_id)s::bigint)
  AND (%(last_id)s::bigint IS NULL OR id <= %(last_id)s::bigint)
ORDER BY id;

-- name: clear_rejects_of_pages
-- Pages that now give an article are no longer rejects (after a re-extraction).
DELETE FROM rejects r
WHERE r.page_id = ANY(%(page_ids)s)
  AND EXISTS (SELECT 1 FROM articles a WHERE a.page_id = r.page_id);

-- name: failed_urls_of_source
SELECT url, kind, outcome, http_status, permanent, retry_after, attempts
FROM failed_urls WHERE source_id = %(source_id)s;

-- name: record_failure
-- A URL's request failed: first time a row, later the count and the newest reason.
INSERT INTO failed_urls AS f (source_id, url, kind, outcome, http_status, reason, permanent,
                              retry_after, last_crawl_run_id)
VALUES (%(source_id)s, %(url)s, %(kind)s, %(outcome)s, %(http_status)s, %(reason)s,
        %(permanent)s,
        CASE WHEN %(permanent)s THEN now() + make_interval(days => %(recheck_days)s) END,
        %(crawl_run_id)s)
ON CONFLICT (source_id, url) DO UPDATE
SET kind = excluded.kind, outcome = excluded.outcome, http_status = excluded.http_status,
    reason = excluded.reason, permanent = excluded.permanent,
    retry_after = excluded.retry_after, last_crawl_run_id = excluded.last_crawl_run_id,
    attempts = f.attempts + 1, last_seen = now();

-- name: clear_failure
DELETE FROM failed_urls WHERE source_id = %(source_id)s AND url = %(url)s;

-- name: record_outcomes
-- The crawl process's own counts, written when it closes.
UPDATE crawl_runs
SET discovered = %(discovered)s, fetched = %(fetched)s, pages_stored = %(pages_stored)s,
    errors = %(errors)s, robots_disallowed = %(robots_disallowed)s,
    not_modified = %(not_modified)s, outcomes = %(outcomes)s
WHERE id = %(crawl_run_id)s;

-- name: running_runs_on_host
SELECT id, source_id, pid, started_at FROM crawl_runs
WHERE status = 'running' AND hostname = %(hostname)s;

-- name: abort_run
UPDATE crawl_runs SET status = 'aborted', error = %(error)s, finished_at = now()
WHERE id = %(crawl_run_id)s AND status = 'running';

-- name: try_site_lock
-- One crawl per site at a time, across processes, Prefect servers and machines: a session
-- lock, released by PostgreSQL the moment its holder's connection goes (a kill included).
SELECT pg_try_advisory_lock(hashtext('akhbar-site'), hashtext(%(source_id)s)) AS locked;

-- name: site_lock_holder
SELECT a.pid, a.application_name, a.backend_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted
  AND l.classid = hashtext('akhbar-site')::oid AND l.objid = hashtext(%(source_id)s)::oid
LIMIT 1;

-- name: failures_of_run
SELECT kind, outcome, http_status, url, reason, permanent
FROM failed_urls WHERE last_crawl_run_id = %(crawl_run_id)s
ORDER BY kind, outcome, url;

-- name: corpus_articles
-- Articles for export and the Python API, oldest id first; every filter is optional (NULL).
SELECT a.id, a.source_id AS site, a.url, a.canonical_url, a.title, a.subtitle, a.authors,
       a.published_at, a.modified_at, a.section, a.tags, a.agency, a.language, a.text,
       a.text_normalized, a.word_count, a.lead_image, a.cluster_id, a.content_hash,
       a.extractor_version, a.page_id, a.extracted_at, a.changed_at,
       CASE WHEN %(include_raw)s THEN p.body END AS raw_html,
       CASE WHEN %(include_raw)s THEN p.encoding END AS raw_encoding,
       CASE WHEN %(versions)s THEN
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'title', v.title, 'subtitle', v.subtitle, 'authors', v.authors,
                       'published_at', v.published_at, 'modified_at', v.modified_at,
                       'text', v.text, 'content_hash', v.content_hash,
                       'extractor_version', v.extractor_version, 'page_id', v.page_id,
                       'valid_from', v.valid_from, 'valid_to', v.valid_to)
                   ORDER BY v.valid_to, v.id), '[]'::jsonb)
            FROM article_versions v WHERE v.article_id = a.id) END AS versions,
       CASE WHEN %(query)s::text IS NULL THEN NULL
            ELSE ts_rank_cd(a.search, websearch_to_tsquery('arabic', %(query)s)) END AS rank
FROM articles a
JOIN pages p ON p.id = a.page_id
WHERE (%(sites)s::text[] IS NULL OR a.source_id = ANY (%(sites)s::text[]))
  AND (%(since)s::timestamptz IS NULL OR a.published_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR a.published_at < %(until)s::timestamptz)
  AND (%(updated_since)s::timestamptz IS NULL OR a.changed_at > %(updated_since)s::timestamptz)
  AND (%(language)s::text IS NULL OR a.language = %(language)s::text)
  AND (%(query)s::text IS NULL OR a.search @@ websearch_to_tsquery('arabic', %(query)s))
ORDER BY a.id;

-- name: export_watermark
-- The time to pass as --updated-since next time: now, or the start of the oldest transaction
-- still open (a load that began before this export and commits after it stamps its rows with
-- its own start time, which must not fall behind the watermark).
SELECT least(now(), min(xact_start)) AS watermark
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
  AND backend_type = 'client backend';

-- name: search_articles
-- Ranked full-text search over the search form, with a highlighted snippet. Only the newest
-- %(candidates)s articles holding all the query's words are looked at: ts_rank_cd and phrase
-- checks read each article's stored tsvector (5 KB of TOAST), which made a common word or a
-- phrase of common words ("من على") on 100,000 articles take 0.5 s. The GIN index answers the
-- words without reading them; the phrase and the ranking then apply to the candidates only.
-- The queries are written where they are used, not in a CTE, so the planner sees how many
-- articles match (a CTE's query it estimates at 1,000 rows: on 200,000 articles a common word
-- then took two bitmap scans of 170,000 rows, 360 ms, instead of a walk down the published_at
-- index that stops at the candidates, 40 ms). Run it unprepared (a generic plan has the same
-- blindness).
WITH candidates AS (
    SELECT a.id
    FROM articles a
    WHERE a.search @@ regexp_replace(websearch_to_tsquery('arabic', %(query)s)::text,
                                     '<(-|[0-9]+)>', '&', 'g')::tsquery
      AND (%(sites)s::text[] IS NULL OR a.source_id = ANY (%(sites)s::text[]))
      AND (%(since)s::timestamptz IS NULL OR a.published_at >= %(since)s::timestamptz)
      AND (%(until)s::timestamptz IS NULL OR a.published_at < %(until)s::timestamptz)
    ORDER BY a.published_at DESC NULLS LAST, a.id DESC
    LIMIT %(candidates)s
), best AS (
    SELECT a.id, a.source_id AS site, a.url, a.title, a.published_at,
           ts_rank_cd(a.search, websearch_to_tsquery('arabic', %(query)s)) AS rank
    FROM candidates c JOIN articles a ON a.id = c.id
    WHERE a.search @@ websearch_to_tsquery('arabic', %(query)s)
    ORDER BY rank DESC, a.published_at DESC NULLS LAST, a.id
    LIMIT %(limit)s
)
SELECT b.*, ts_headline('arabic', a.text_normalized, websearch_to_tsquery('arabic', %(query)s),
                        'StartSel=«, StopSel=», MaxWords=30, MinWords=12, MaxFragments=2')
           AS snippet
FROM best b JOIN articles a ON a.id = b.id
ORDER BY b.rank DESC, b.published_at DESC NULLS LAST, b.id;

-- name: site_stats
-- One row per site: articles, pages, rejects by reason, near-duplicate clusters (its articles'
-- clusters with another member, on any site), published range, and its last crawl run.
SELECT s.id AS site,
       (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS articles,
       (SELECT count(*) FROM pages p WHERE p.source_id = s.id) AS pages,
       (SELECT coalesce(jsonb_object_agg(reason, n), '{}'::jsonb)
        FROM (SELECT r.reason, count(*) AS n FROM rejects r JOIN pages p ON p.id = r.page_id
              WHERE p.source_id = s.id GROUP BY r.reason) x) AS rejects,
       (SELECT count(*) FROM (SELECT a.cluster_id FROM articles a
                              WHERE a.source_id = s.id AND a.cluster_id IS NOT NULL
                                AND EXISTS (SELECT 1 FROM articles o
                                            WHERE o.cluster_id = a.cluster_id AND o.id <> a.id)
                              GROUP BY a.cluster_id) c) AS clusters,
       (SELECT min(a.published_at) FROM articles a WHERE a.source_id = s.id) AS first_published,
       (SELECT max(a.published_at) FROM articles a WHERE a.source_id = s.id) AS last_published,
       r.status AS last_run_status, r.started_at AS last_run_started,
       r.finished_at AS last_run_finished, r.error AS last_run_error
FROM sources s
LEFT JOIN LATERAL (SELECT status, started_at, finished_at, error FROM crawl_runs c
                   WHERE c.source_id = s.id ORDER BY c.id DESC LIMIT 1) r ON true
WHERE %(sites)s::text[] IS NULL OR s.id = ANY (%(sites)s::text[])
ORDER BY s.id;

-- name: article_by_url
SELECT id, source_id AS site, url, title, subtitle, authors, published_at, modified_at, text,
       content_hash, extractor_version, page_id, changed_at
FROM articles WHERE url = %(url)s OR canonical_url = %(url)s
ORDER BY (url = %(url)s) DESC LIMIT 1;

-- name: article_versions
SELECT title, subtitle, authors, published_at, modified_at, text, content_hash,
       extractor_version, page_id, valid_from, valid_to
FROM article_versions WHERE article_id = %(article_id)s ORDER BY valid_to, id;
