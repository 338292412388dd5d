"""Near-duplicate detection: MinHash signatures of word shingles and their LSH bands.

Agency copy ("وكالات") is syndicated across sites with small edits; articles whose estimated
Jaccard similarity of word 4-shingles reaches THRESHOLD share a cluster. Signatures and band
hashes are plain values so PostgreSQL can index the bands and find candidates at any scale.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Iterator
from functools import cache
from itertools import islice

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 4
THRESHOLD = 0.6
SEED = 1
BATCH = 4096
WORD = re.compile(r"\S+")  # str.split()'s words


@cache
def band_layout() -> tuple[int, int]:
    """(bands, rows per band) that datasketch chooses for THRESHOLD and NUM_PERM."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def shingles(text_normalized: str) -> Iterator[bytes]:
    """Word 4-shingles, one at a time (a text of fewer words is one shingle)."""
    window: deque[str] = deque(maxlen=SHINGLE_WORDS)
    for match in WORD.finditer(text_normalized):
        window.append(match[0])
        if len(window) == SHINGLE_WORDS:
            yield " ".join(window).encode()
    if 0 < len(window) < SHINGLE_WORDS:
        yield " ".join(window).encode()


def signature(text_normalized: str) -> bytes:
    """The MinHash signature of a text's word shingles, as bytes; hashed in batches (the
    signature is an element-wise minimum), so a 1.5-million-word page costs no 1.5 GB of
    hash arrays."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    pending = shingles(text_normalized)
    while batch := list(islice(pending, BATCH)):
        minhash.update_batch(batch)
    return minhash.hashvalues.astype("<u8").tobytes()


def band_hashes(sig: bytes) -> list[int]:
    """One signed 64-bit hash per LSH band of a signature (PostgreSQL bigint)."""
    bands, rows = band_layout()
    width = rows * 8
    return [int.from_bytes(hashlib.blake2b(sig[b * width:(b + 1) * width],
                                           digest_size=8).digest(), "big", signed=True)
            for b in range(bands)]


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    left, right = np.frombuffer(a, dtype="<u8"), np.frombuffer(b, dtype="<u8")
    return float(np.count_nonzero(left == right)) / NUM_PERM
