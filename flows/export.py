"""`akhbar export`: stored articles to JSONL, CSV or Parquet, streamed.

JSONL and CSV carry timestamps as ISO 8601 with their offset, lists (authors, tags) as JSON
arrays in CSV, and the raw page (with `--include-raw`) as base64; Parquet has real types:
timestamps with zone, lists of strings, binary, written in row groups with zstd. Earlier
versions (`--versions`) are a list of objects in JSONL and a JSON array string in CSV and
Parquet.
"""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO

from akhbar.sql.corpus import FIELDS, OPTIONAL_FIELDS, RAW_FIELDS, ArticleRecord

FORMATS = ("jsonl", "csv", "parquet")
ROW_GROUP = 10_000
# A row group is written once it holds this much text, whatever its row count (10,000 long
# articles in Python and Arrow at once took an export to 1 GB; 32 MB groups to 420 MB).
ROW_GROUP_BYTES = 8 << 20


def choose_fields(fields: list[str] | None, include_raw: bool,
                  versions: bool = False) -> list[str]:
    """The columns to write, in the order asked; raw page columns only with include_raw, the
    earlier versions only with versions."""
    chosen = list(fields) if fields else [f for f in FIELDS if f not in OPTIONAL_FIELDS]
    unknown = [f for f in chosen if f not in FIELDS]
    if unknown:
        raise ValueError(f"--fields: unknown field(s) {', '.join(unknown)} (known: "
                         f"{', '.join(FIELDS)})")
    if include_raw:
        chosen += [f for f in RAW_FIELDS if f not in chosen]
    elif any(f in RAW_FIELDS for f in chosen):
        raise ValueError("--fields: raw_html and raw_encoding need --include-raw")
    if versions:
        chosen += [] if "versions" in chosen else ["versions"]
    elif "versions" in chosen:
        raise ValueError("--fields: versions needs --versions")
    return chosen


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def write_jsonl(records: Iterable[ArticleRecord], fields: list[str], out: IO[str]) -> int:
    count = 0
    for record in records:
        row = {name: _plain(getattr(record, name)) for name in fields}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[ArticleRecord], fields: list[str], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(fields)
    count = 0
    for record in records:
        values = [getattr(record, name) for name in fields]
        writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, list) else
                         "" if v is None else _plain(v) for v in values])
        count += 1
    return count


def parquet_schema(fields: list[str]):
    import pyarrow as pa

    stamp = pa.timestamp("us", tz="UTC")
    types = {
        "id": pa.int64(), "word_count": pa.int32(), "cluster_id": pa.int64(),
        "page_id": pa.int64(), "authors": pa.list_(pa.string()), "tags": pa.list_(pa.string()),
        "published_at": stamp, "modified_at": stamp, "extracted_at": stamp, "changed_at": stamp,
        "raw_html": pa.binary(),
    }  # versions: a JSON array in a string column
    return pa.schema([pa.field(name, types.get(name, pa.string()),
                               nullable=name not in ("id", "site", "url", "text"))
                      for name in fields])


def _batches(records: Iterable[ArticleRecord], size: int,
             max_bytes: int = ROW_GROUP_BYTES) -> Iterator[list[ArticleRecord]]:
    """Records in groups of `size`, or fewer once their text reaches `max_bytes`."""
    batch: list[ArticleRecord] = []
    held = 0
    for record in records:
        batch.append(record)
        held += 2 * (len(record.text) + len(record.text_normalized)) + \
            len(record.raw_html or b"")
        if len(batch) == size or held >= max_bytes:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _cell(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) and value and \
        isinstance(value[0], dict) else value


def write_parquet(records: Iterable[ArticleRecord], fields: list[str], path: str) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(fields)
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in _batches(records, ROW_GROUP):
            columns = {name: [_cell(getattr(r, name)) for r in batch] for name in fields}
            writer.write_table(pa.table(columns, schema=schema), row_group_size=ROW_GROUP)
            count += len(batch)
        if count == 0:
            writer.write_table(schema.empty_table())
    return count
