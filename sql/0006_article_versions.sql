-- Article history and incremental export: the previous version of an article whose title or
-- text changed is kept in article_versions (written in the load's own transaction), and
-- articles.changed_at says when an article was added or last changed, for
-- `akhbar export --updated-since`.

CREATE TABLE article_versions (
    id                 bigserial PRIMARY KEY,
    article_id         bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    title              text,
    subtitle           text,
    authors            text[] NOT NULL DEFAULT '{}',
    published_at       timestamptz,
    modified_at        timestamptz,
    text               text NOT NULL,
    content_hash       text NOT NULL,
    extractor_version  text NOT NULL,
    page_id            bigint NOT NULL REFERENCES pages (id),
    valid_from         timestamptz NOT NULL,
    valid_to           timestamptz NOT NULL
);
CREATE INDEX article_versions_article_idx ON article_versions (article_id, valid_to);

ALTER TABLE articles ADD COLUMN changed_at timestamptz;
UPDATE articles SET changed_at = extracted_at;
ALTER TABLE articles ALTER COLUMN changed_at SET NOT NULL,
                     ALTER COLUMN changed_at SET DEFAULT now();
CREATE INDEX articles_changed_idx ON articles (changed_at);
-- Newest first over all sites: search ranks the newest matches, and for a phrase of common
-- words the planner walks this index and stops after enough matches.
CREATE INDEX articles_published_idx ON articles (published_at DESC NULLS LAST, id DESC);
