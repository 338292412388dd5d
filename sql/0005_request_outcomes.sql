-- Every request has an outcome: per-run counts of outcome classes, the URLs that keep failing,
-- run statuses that say what happened (degraded, aborted), and the process that ran a crawl so
-- a later run can tell a dead one from a live one.

ALTER TABLE crawl_runs DROP CONSTRAINT crawl_runs_status_check;
ALTER TABLE crawl_runs
    ADD CONSTRAINT crawl_runs_status_check
        CHECK (status IN ('running', 'completed', 'degraded', 'failed', 'aborted')),
    -- {"discovery": {"read": 2, "dns": 1}, "article": {"stored": 5, "http_4xx": 1}}
    ADD COLUMN outcomes jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN hostname text,
    ADD COLUMN pid integer;

-- URLs whose last request failed, one row per site and URL; removed when a request succeeds.
-- `permanent` failures (404/410) are not requested again before `retry_after`.
CREATE TABLE failed_urls (
    source_id          text NOT NULL REFERENCES sources (id),
    url                text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('discovery', 'article')),
    outcome            text NOT NULL,
    http_status        integer,
    reason             text NOT NULL,
    permanent          boolean NOT NULL DEFAULT false,
    attempts           integer NOT NULL DEFAULT 1,
    first_seen         timestamptz NOT NULL DEFAULT now(),
    last_seen          timestamptz NOT NULL DEFAULT now(),
    retry_after        timestamptz,
    last_crawl_run_id  bigint REFERENCES crawl_runs (id) ON DELETE SET NULL,
    PRIMARY KEY (source_id, url)
);
CREATE INDEX failed_urls_run_idx ON failed_urls (last_crawl_run_id);

-- Backfill chunks that ended with failures stay pending, with the reason.
ALTER TABLE backfill_chunks DROP CONSTRAINT backfill_chunks_status_check;
ALTER TABLE backfill_chunks
    ADD CONSTRAINT backfill_chunks_status_check
        CHECK (status IN ('running', 'done', 'pending')),
    ADD COLUMN error text;
