-- Discovery state: HTTP validators of feeds and sitemaps, backfill chunks done per site, and
-- what politeness cost each crawl.

ALTER TABLE crawl_runs
    ADD COLUMN robots_disallowed integer NOT NULL DEFAULT 0,
    ADD COLUMN not_modified integer NOT NULL DEFAULT 0;

-- The ETag / Last-Modified a feed or sitemap last answered with, sent back as
-- If-None-Match / If-Modified-Since so an unchanged document costs a 304.
CREATE TABLE discovery_validators (
    source_id      text NOT NULL REFERENCES sources (id),
    url            text NOT NULL,
    etag           text,
    last_modified  text,
    checked_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, url)
);

-- One row per chunk of a backfill window; a chunk is done once its pages are stored and
-- extracted, so a killed backfill resumes at the first chunk not done.
CREATE TABLE backfill_chunks (
    source_id      text NOT NULL REFERENCES sources (id),
    chunk_start    date NOT NULL,
    chunk_end      date NOT NULL CHECK (chunk_end >= chunk_start),
    status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
    discovered     integer NOT NULL DEFAULT 0,
    fetched        integer NOT NULL DEFAULT 0,
    new_articles   integer NOT NULL DEFAULT 0,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    PRIMARY KEY (source_id, chunk_start, chunk_end)
);
