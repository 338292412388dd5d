-- What a crawl run's extraction yielded in words, so site health can compare mean article
-- length across runs.

ALTER TABLE crawl_runs ADD COLUMN words_total bigint NOT NULL DEFAULT 0;
