"""The extraction benchmark's metric follows upstream's evaluate.py (shingle precision/recall)."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = bench  # dataclasses look their module up while the file runs
spec.loader.exec_module(bench)

GOLD = "Staying active is better than bed rest for most people with acute low back pain."


def test_shingles_are_word_4grams_and_a_short_text_is_one_shingle():
    assert bench.shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    assert bench.shingles("Back pain.") == {("Back", "pain"): 1}
    assert bench.shingles("") == {}


def test_tokens_keep_case_and_drop_punctuation():
    assert bench.tp_fp_fn("Back pain, again and again", "back pain again and again")[0] < 1
    assert bench.tp_fp_fn("Back pain, again and again", "Back -- pain again; and again!") == (1.0, 0.0, 0.0)


def test_counts_are_normalised_per_page():
    tp, fp, fn = bench.tp_fp_fn(GOLD, GOLD + " Share this post on Facebook and Twitter today.")
    assert tp + fp + fn == pytest.approx(1.0)
    assert fn == 0 and fp > 0


def test_an_empty_prediction_is_left_out_of_precision_and_scores_no_recall():
    pages = [bench.tp_fp_fn(GOLD, GOLD), bench.tp_fp_fn(GOLD, "")]
    precision, recall, f1 = bench.summarise(pages)
    assert precision == 1.0
    assert recall == 0.5
    assert f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)  # harmonic mean of the averages
