"""Near-duplicate posts: MinHash signatures of word shingles, an LSH index, and clusters.

Clinics buy the same ghost-written article and publish it with their own name and city put
in. Such copies share almost all of their word 5-grams, so the Jaccard similarity of their
shingle sets stays high (one changed word costs at most five shingles) while two different
posts on the same topic share few. datasketch's MinHash estimates that similarity from a
fixed-size signature, and MinHashLSH finds the candidate pairs without comparing every pair.

Only signatures are kept per post (512 bytes), never texts. Shingles are hashed with numpy
(a polynomial hash of each word's UTF-8 bytes, then of each window of word hashes) rather
than with one Python call per shingle: that is what lets 100,000 posts take seconds, not
minutes. Words are split on ASCII whitespace, as the archive's texts are normalised.
The signature is exactly the one datasketch's ``MinHash.update_batch`` gives for the same
32-bit shingle hashes (``tests/report/test_report_neardup.py`` checks this).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

# A 5-word window is long enough that two unrelated posts rarely share one, short enough that
# a swapped clinic name or city spoils only a handful of windows.
SHINGLE_WORDS = 5
# 128 permutations estimate a Jaccard of 0.8 within about ±0.035 (one standard error).
NUM_PERM = 128
# Copies with a new intro sentence and the clinic's name swapped in still score above 0.8;
# posts that merely share a topic or a template paragraph score far below it.
DEFAULT_THRESHOLD = 0.8
# How far below the threshold the LSH index looks for candidates (see ``lsh_threshold``).
LSH_SLACK = 0.1
# The LSH index is built this many bands at a time (see ``_verified_pairs``): at 0.7 datasketch
# picks 14 bands, so two passes, each holding half the index's memory.
BANDS_PER_PASS = 7
# Below this many words a text (a stub, "closed for the holidays") matches others by accident.
MIN_WORDS = 50
SEED = 1
SCHEME = "affine32"

_BASE = 1099511628211  # odd, so it has an inverse modulo 2**64
_WINDOW_BASE = 0x9E3779B97F4A7C15
_SPACE = 32
_WHITESPACE = bytes.maketrans(b"\t\n\r\x0b\x0c", b"     ")


class _Powers:
    """``base**i mod 2**64`` for i < n, grown on demand for longer texts."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.values = np.ones(1, dtype=np.uint64)

    def upto(self, n: int) -> np.ndarray:
        if len(self.values) < n:
            size = max(n, 2 * len(self.values), 1 << 14)
            steps = np.full(size, self.base, dtype=np.uint64)
            steps[0] = 1
            self.values = np.cumprod(steps, dtype=np.uint64)
        return self.values[:n]


_POW = _Powers(_BASE)
_INV_POW = _Powers(pow(_BASE, -1, 2**64))


def shingle_hashes(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """32-bit hashes of every window of ``k`` consecutive words (lower-cased, split on whitespace).

    Each word's hash comes from prefix sums of ``byte * base**i`` (one subtraction and one
    multiplication by an inverse power per word); a window's hash is a polynomial of its words'
    hashes. So a whole text is hashed in a few numpy calls, and spacing never matters.
    """
    data = np.frombuffer(b" " + text.lower().encode("utf-8").translate(_WHITESPACE) + b" ", dtype=np.uint8)
    space = data == _SPACE
    starts = np.flatnonzero(space[:-1] & ~space[1:]) + 1  # a space, then a word: a word starts
    ends = np.flatnonzero(~space[:-1] & space[1:]) + 1  # a word, then a space: it ends (exclusive)
    windows = len(starts) - k + 1
    if windows < 1:
        return np.empty(0, dtype=np.uint32)
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(data * _POW.upto(len(data)), out=prefix[1:])
    words = (prefix[ends] - prefix[starts]) * _INV_POW.upto(len(data))[starts]
    hashes = words[:windows].copy()
    for i in range(1, k):
        hashes *= np.uint64(_WINDOW_BASE)
        hashes += words[i : i + windows]
    return (hashes >> np.uint64(32)).astype(np.uint32)  # the high bits are the well-mixed ones


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finalizer, as datasketch's affine32 scheme applies it before permuting."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


class Signer:
    """Turns texts into MinHash signatures (as bytes: compact to keep one per post)."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = SEED, min_words: int = MIN_WORDS) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self.min_words = min_words
        self._a, self._b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations

    def signature(self, text: str) -> bytes | None:
        """The signature of the text, or None when it is too short to compare."""
        hashes = shingle_hashes(text)
        if len(hashes) < max(1, self.min_words - SHINGLE_WORDS + 1):
            return None
        permuted = np.multiply(_fmix32(hashes)[:, None], self._a)  # one (shingles x permutations) array,
        permuted += self._b  # updated in place: this is most of the report's time on large archives
        return permuted.min(axis=0).tobytes()

    def minhash(self, signature: bytes, start: int = 0, end: int | None = None) -> LeanMinHash:
        """The signature (or the slice of its permutations from ``start`` to ``end``) as datasketch's
        MinHash, for its LSH index."""
        values = np.frombuffer(signature, dtype=np.uint32)[start:end]
        return LeanMinHash(seed=self.seed, hashvalues=values, scheme=SCHEME)


def similarity(a: bytes, b: bytes) -> float:
    """MinHash estimate of the Jaccard similarity of two signatures."""
    left, right = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    return float(np.count_nonzero(left == right)) / len(left)


# Texts are signed in batches by worker processes; at most this many batches per worker wait in
# the pipe, so a huge archive never sits in memory as a queue of texts.
BATCH = 256
IN_FLIGHT_PER_WORKER = 2

_worker_signer: Signer | None = None


def _start_worker(signer: Signer) -> None:
    global _worker_signer  # one signer per worker process, set once when it starts
    _worker_signer = signer


def _sign_batch(texts: list[str]) -> list[bytes | None]:
    assert _worker_signer is not None
    return [_worker_signer.signature(text) for text in texts]


def sign_all(
    items: Iterable[tuple[str, str]], signer: Signer, workers: int = 0
) -> Iterator[tuple[str, bytes | None]]:
    """``(key, signature)`` for each ``(key, text)``, in order; with ``workers`` > 1 the hashing
    runs in that many processes while the caller goes on reading (hashing is most of the work)."""
    if workers <= 1:
        for key, text in items:
            yield key, signer.signature(text)
        return
    pending: deque = deque()
    with multiprocessing.get_context().Pool(workers, _start_worker, (signer,)) as pool:
        for batch in _batches(items, BATCH):
            keys = [key for key, _ in batch]
            pending.append((keys, pool.apply_async(_sign_batch, ([text for _, text in batch],))))
            while len(pending) > workers * IN_FLIGHT_PER_WORKER:
                done_keys, result = pending.popleft()
                yield from zip(done_keys, result.get(), strict=True)
        while pending:
            done_keys, result = pending.popleft()
            yield from zip(done_keys, result.get(), strict=True)


def _batches(items: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class Cluster:
    """Posts whose texts are near-identical (linked by pairs at or above the threshold)."""

    id: str  # "dup-" + the smallest member id: stable while the cluster keeps that member
    members: tuple[str, ...]  # post ids, sorted
    similarity: float  # the lowest estimated Jaccard among the pairs that link the cluster


def find_clusters(
    signatures: Mapping[str, bytes], threshold: float = DEFAULT_THRESHOLD, signer: Signer | None = None
) -> list[Cluster]:
    """Group posts into clusters of near-duplicates; posts with no near-duplicate are left out."""
    return _clusters(_verified_pairs(signatures, threshold, signer or Signer()))


def lsh_threshold(threshold: float) -> float:
    """The LSH index looks for a little less than the threshold: a pair right at the threshold
    would otherwise be missed about half the time, and every candidate is checked anyway.
    (Above 0.9, datasketch cannot build enough bands for 128 permutations.)"""
    return min(max(threshold - LSH_SLACK, 0.05), 0.9)


def _verified_pairs(
    signatures: Mapping[str, bytes], threshold: float, signer: Signer
) -> Iterator[tuple[str, str, float]]:
    """Candidate pairs from datasketch's MinHashLSH, each kept if its estimate reaches the threshold.

    Each post is looked up among the posts before it, then added, so a pair comes up once per
    pass. The index holds a set per band and post (about 350 bytes each), so its bands are
    built a few at a time: the union of the passes' candidates is that of the whole index.
    """
    whole = MinHashLSH(threshold=lsh_threshold(threshold), num_perm=signer.num_perm)
    bands, rows = whole.b, whole.r
    for first in range(0, bands, BANDS_PER_PASS):
        count = min(BANDS_PER_PASS, bands - first)
        span = (first * rows, (first + count) * rows)
        lsh = MinHashLSH(num_perm=count * rows, params=(count, rows))
        for key, signature in signatures.items():
            minhash = signer.minhash(signature, *span)
            for other in lsh.query(minhash):
                score = similarity(signature, signatures[other])
                if score >= threshold:
                    yield other, key, score
            lsh.insert(key, minhash, check_duplication=False)
        del lsh
        gc.collect()  # MinHashLSH refers to itself (a bound method): only the collector frees it


def _clusters(edges: Iterable[tuple[str, str, float]]) -> list[Cluster]:
    parent: dict[str, str] = {}
    weakest: dict[str, float] = {}

    def root(key: str) -> str:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for left, right, score in edges:
        a, b = root(left), root(right)
        low = min(score, weakest.get(a, 1.0), weakest.get(b, 1.0))
        if a != b:
            parent[max(a, b)] = min(a, b)
        weakest[min(a, b)] = low
    groups: dict[str, list[str]] = {}
    for key in parent:
        groups.setdefault(root(key), []).append(key)
    clusters = [
        Cluster(f"dup-{min(members)}", tuple(sorted(members)), round(weakest[top], 3))
        for top, members in groups.items()
    ]
    return sorted(clusters, key=lambda c: (-len(c.members), c.id))
