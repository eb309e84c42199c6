"""Near-duplicate detection: shingle hashing, MinHash signatures (datasketch-compatible), clusters."""

from __future__ import annotations

import random

import numpy as np
import pytest
from datasketch import MinHash

from pipelines.report import neardup
from pipelines.report.neardup import Signer, find_clusters, shingle_hashes, sign_all, similarity

WORDS = "the a of pain back knee exercise study patients treatment clinic weeks strength rest".split()


def text(seed: int, words: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 300)) for _ in range(words))


def reference_hashes(value: str, k: int = neardup.SHINGLE_WORDS) -> list[int]:
    """The same hash written out in plain Python, one word and one window at a time."""
    mod = 2**64

    def word_hash(word: str) -> int:
        return sum(b * pow(neardup._BASE, i, mod) for i, b in enumerate(word.encode())) % mod

    words = value.lower().split()
    out = []
    for start in range(len(words) - k + 1):
        h = 0
        for word in words[start : start + k]:
            h = (h * neardup._WINDOW_BASE + word_hash(word)) % mod
        out.append(h >> 32)
    return out


def test_shingle_hashes_match_a_plain_python_reference():
    value = "Dry needling: a Review of Trials.\n\nPatients   reported less pain (1), café ñ 東京 test"
    assert shingle_hashes(value).tolist() == reference_hashes(value)
    assert len(shingle_hashes(value)) == len(value.split()) - 4


def test_spacing_and_case_do_not_change_shingles():
    assert shingle_hashes("One two three four five six").tolist() == (
        shingle_hashes("  ONE\ttwo\n\nthree  four five\r\nsix ").tolist()
    )
    assert len(shingle_hashes("one two three four")) == 0


def test_signature_is_datasketchs_minhash_of_the_same_shingles():
    value = text(1)
    signer = Signer()
    expected = MinHash(num_perm=signer.num_perm, seed=signer.seed, hashfunc=int)
    expected.update_batch([int(h) for h in shingle_hashes(value)])
    ours = np.frombuffer(signer.signature(value), dtype=np.uint32)
    assert np.array_equal(ours, expected.hashvalues)
    assert signer.minhash(signer.signature(value)).jaccard(expected) == 1.0


def test_texts_shorter_than_the_minimum_get_no_signature():
    signer = Signer()
    assert signer.signature(text(1, words=signer.min_words - 1)) is None
    assert signer.signature(text(1, words=signer.min_words)) is not None
    assert signer.signature("") is None


def test_similarity_estimates_jaccard():
    signer = Signer()
    base = text(1, 400)
    words = base.split()
    edited = " ".join([*words[:200], "CHANGED", *words[201:]])  # one word: 5 of 396 shingles
    assert similarity(signer.signature(base), signer.signature(base)) == 1.0
    assert similarity(signer.signature(base), signer.signature(edited)) > 0.9
    assert similarity(signer.signature(base), signer.signature(text(2, 400))) < 0.1


def test_clusters_follow_the_threshold():
    signer = Signer()
    base = text(7, 300)
    words = base.split()
    copies = {
        "a": base,
        "b": base,  # an exact copy
        "c": " ".join(["Welcome", "to", "Gamma", "Dental!", *words]),  # a new intro: 4 extra words
        "d": " ".join(words[:150] + ["x"] * 60 + words[210:]),  # a fifth of it rewritten
        "e": text(8, 300),
    }
    sigs = {k: signer.signature(v) for k, v in copies.items()}
    assert [c.members for c in find_clusters(sigs, threshold=1.0)] == [("a", "b")]
    assert [c.members for c in find_clusters(sigs, threshold=0.8)] == [("a", "b", "c")]
    assert [c.members for c in find_clusters(sigs, threshold=0.5)] == [("a", "b", "c", "d")]


def test_cluster_ids_do_not_depend_on_input_order():
    signer = Signer()
    sigs = {f"{i:02d}": signer.signature(text(i % 3, 120)) for i in range(9)}
    shuffled = dict(random.Random(3).sample(list(sigs.items()), len(sigs)))
    clusters = find_clusters(sigs)
    assert clusters == find_clusters(shuffled)
    assert [(c.id, c.members) for c in clusters] == [
        ("dup-00", ("00", "03", "06")),
        ("dup-01", ("01", "04", "07")),
        ("dup-02", ("02", "05", "08")),
    ]
    assert all(c.similarity == 1.0 for c in clusters)


@pytest.mark.parametrize("workers", [0, 2])
def test_sign_all_keeps_order(workers, monkeypatch):
    monkeypatch.setattr(neardup, "BATCH", 3)  # several batches in flight
    items = [(str(i), text(i, 60)) for i in range(10)]
    signer = Signer()
    assert list(sign_all(items, signer, workers)) == [(k, signer.signature(v)) for k, v in items]
