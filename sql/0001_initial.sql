-- Initial schema: sources, crawl runs, raw pages, extracted articles, rejects, full-text search.

CREATE TABLE sources (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]*$'),
    name        text NOT NULL,
    base_url    text NOT NULL,
    language    text NOT NULL DEFAULT 'ar',
    timezone    text NOT NULL DEFAULT 'UTC',
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per source per flow run: what the run did for that site.
CREATE TABLE crawl_runs (
    id                bigserial PRIMARY KEY,
    source_id         text NOT NULL REFERENCES sources (id),
    flow_run_id       text NOT NULL,
    flow_name         text NOT NULL DEFAULT 'nightly',
    status            text NOT NULL DEFAULT 'running'
                      CHECK (status IN ('running', 'completed', 'failed')),
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    discovered        integer NOT NULL DEFAULT 0,
    fetched           integer NOT NULL DEFAULT 0,
    pages_stored      integer NOT NULL DEFAULT 0,
    new_articles      integer NOT NULL DEFAULT 0,
    updated_articles  integer NOT NULL DEFAULT 0,
    unchanged         integer NOT NULL DEFAULT 0,
    duplicates        integer NOT NULL DEFAULT 0,
    rejected          integer NOT NULL DEFAULT 0,
    errors            integer NOT NULL DEFAULT 0,
    error             text,
    UNIQUE (flow_run_id, source_id)
);

-- Every fetched article page, raw. A refetch with identical bytes is not stored twice.
CREATE TABLE pages (
    id            bigserial PRIMARY KEY,
    source_id     text NOT NULL REFERENCES sources (id),
    crawl_run_id  bigint REFERENCES crawl_runs (id),
    url           text NOT NULL,
    final_url     text NOT NULL,
    http_status   integer NOT NULL,
    headers       jsonb NOT NULL DEFAULT '{}'::jsonb,
    encoding      text,
    body          bytea NOT NULL,
    sha256        text NOT NULL CHECK (length(sha256) = 64),
    lastmod       timestamptz,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (url, sha256)
);
CREATE INDEX pages_source_url_idx ON pages (source_id, url, fetched_at DESC);

-- One row per canonical article URL, updated in place when its page changes.
CREATE TABLE articles (
    id                 bigserial PRIMARY KEY,
    source_id          text NOT NULL REFERENCES sources (id),
    url                text NOT NULL UNIQUE,
    title              text,
    subtitle           text,
    authors            text[] NOT NULL DEFAULT '{}',
    published_at       timestamptz,
    modified_at        timestamptz,
    section            text,
    tags               text[] NOT NULL DEFAULT '{}',
    language           text NOT NULL,
    text               text NOT NULL,
    text_normalized    text NOT NULL,
    word_count         integer NOT NULL CHECK (word_count >= 0),
    content_hash       text NOT NULL,
    extractor_version  text NOT NULL,
    extracted_at       timestamptz NOT NULL DEFAULT now(),
    page_id            bigint NOT NULL REFERENCES pages (id)
);
CREATE INDEX articles_source_published_idx ON articles (source_id, published_at DESC);
CREATE INDEX articles_page_idx ON articles (page_id);

-- Pages that did not yield an article, and why.
CREATE TABLE rejects (
    id                 bigserial PRIMARY KEY,
    page_id            bigint NOT NULL UNIQUE REFERENCES pages (id),
    reason             text NOT NULL,
    detail             text,
    extractor_version  text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- Full-text search over the normalised text: PostgreSQL's `arabic` snowball configuration
-- when the server has it (every build since PostgreSQL 12), `simple` otherwise.
DO $$
DECLARE
    cfg text := CASE WHEN EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'arabic')
                     THEN 'arabic' ELSE 'simple' END;
BEGIN
    EXECUTE format(
        'ALTER TABLE articles ADD COLUMN search tsvector '
        'GENERATED ALWAYS AS (to_tsvector(%L::regconfig, text_normalized)) STORED', cfg);
END
$$;
CREATE INDEX articles_search_idx ON articles USING gin (search);
