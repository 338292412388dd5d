-- Article details from the extraction issue (agency, lead image, canonical URL) and duplicate
-- detection: MinHash signatures with their LSH band hashes, and near-duplicate clusters.

ALTER TABLE articles
    ADD COLUMN agency         text,
    ADD COLUMN lead_image     text,
    ADD COLUMN canonical_url  text,
    ADD COLUMN minhash        bytea,
    ADD COLUMN cluster_id     bigint;

CREATE INDEX articles_content_hash_idx ON articles (source_id, content_hash);
CREATE INDEX articles_cluster_idx ON articles (cluster_id);

-- One row per LSH band of an article's signature; articles sharing a band are candidates.
CREATE TABLE article_bands (
    band        smallint NOT NULL,
    hash        bigint NOT NULL,
    article_id  bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band, hash, article_id)
);
CREATE INDEX article_bands_article_idx ON article_bands (article_id);
