"""Near-duplicate detection: MinHash signatures of word shingles and their LSH bands.

Agency copy ("وكالات") is syndicated across sites with small edits; articles whose estimated
Jaccard similarity of word 4-shingles reaches THRESHOLD share a cluster. Signatures and band
hashes are plain values so PostgreSQL can index the bands and find candidates at any scale.
"""

from __future__ import annotations

import hashlib
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 4
THRESHOLD = 0.6
SEED = 1


@cache
def band_layout() -> tuple[int, int]:
    """(bands, rows per band) that datasketch chooses for THRESHOLD and NUM_PERM."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def shingles(text_normalized: str) -> list[bytes]:
    words = text_normalized.split()
    if len(words) < SHINGLE_WORDS:
        return [" ".join(words).encode()] if words else []
    return [" ".join(words[i:i + SHINGLE_WORDS]).encode()
            for i in range(len(words) - SHINGLE_WORDS + 1)]


def signature(text_normalized: str) -> bytes:
    """The MinHash signature of a text's word shingles, as bytes."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch(shingles(text_normalized))
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
