-- Raw page bodies are compressed with lz4 where the server was built with it (PostgreSQL 14 and
-- later, as Debian's and most distributions' packages are): about as small as the default
-- pglz and several times faster to write and read. A server without lz4 (the embedded
-- PostgreSQL wheel) keeps pglz; nothing else changes. Existing values keep the compression
-- they were written with until rewritten; new bodies use lz4.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE pages ALTER COLUMN body SET COMPRESSION lz4;
    END IF;
END
$$;
