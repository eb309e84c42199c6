"""Experiment: would a trained sequence labeller beat the rules on the styles they were not tuned on?

    pip install python-crfsuite      # not a project dependency: this script only
    python bench/references_crf.py   # train on the style set's even half, score the odd half and the dev set

A linear-chain CRF (CRFsuite, L-BFGS with L1/L2) labels each token of the cleaned string as
author, title, container, date, volume, issue, pages, doi, url or other. Training labels come
from the style set's gold values, found in the string (every value is copied from it). Features
are the usual ones for citation parsing (GROBID's, ParsCit's): the word, its shape and suffix, whether
it is a year, a number, a journal word or a quote, its place in the string, and the same of its
neighbours. A field is the first run of tokens with its label; names are split and
compared as bench/references.py does, with the same per-style accuracy; ``--train all`` adds the
biomedical dev set to the training data (then the dev figures are not held out).

The rules (pipelines/references) are scored beside it on the same references. docs/references.md
says what came of it.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.references import parse_reference  # noqa: E402
from pipelines.references.journals import is_journal_word  # noqa: E402
from pipelines.references.parse import clean_text  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_references", ROOT / "bench" / "references.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

STYLE_SET = ROOT / "tests" / "fixtures" / "references" / "styles.jsonl"
TOKEN_RE = re.compile(r"\w+|[^\w\s]")
# gold keys -> labels, in the order they are looked for in the string
GOLD_LABELS = (
    ("author", "author"),
    ("title", "title"),
    ("journal", "container"),
    ("booktitle", "container"),
    ("date", "date"),
    ("volume", "volume"),
    ("issue", "issue"),
    ("pages", "pages"),
    ("doi", "doi"),
    ("url", "url"),
)
YEAR_TOKEN_RE = re.compile(r"(?:1[6-9]|20)\d\d")
DEFAULT_MODEL = Path(tempfile.gettempdir()) / "references_crf.model"


def tokens(text: str) -> list[re.Match[str]]:
    return list(TOKEN_RE.finditer(text))


def labels_for(text: str, toks: list[re.Match[str]], fields: dict[str, list[str]]) -> list[str]:
    """Each token's label from the gold values found in ``text`` (numbers after the container)."""
    labels = ["O"] * len(toks)
    after = 0
    for key, label in GOLD_LABELS:
        for value in fields.get(key, [])[:1]:
            start = _find(text, value, after if label in ("volume", "issue", "pages") else 0)
            if start < 0:
                continue
            end = start + len(value)
            for i, tok in enumerate(toks):
                if tok.start() >= start and tok.end() <= end and labels[i] == "O":
                    labels[i] = label
            if label == "container":
                after = end
    return labels


def _find(text: str, value: str, start: int) -> int:
    at = text.find(value, start)
    return at if at >= 0 else text.find(value)


def shape(word: str) -> str:
    out = re.sub(r"[A-Z]", "X", word)
    out = re.sub(r"[a-z]", "x", out)
    out = re.sub(r"\d", "d", out)
    return re.sub(r"(.)\1{2,}", r"\1\1", out)


def token_features(toks: list[re.Match[str]], i: int, quoted: bool) -> dict[str, object]:
    word = toks[i].group(0)
    n = len(toks)
    feats: dict[str, object] = {
        "bias": 1.0,
        "w": word.lower(),
        "suf3": word[-3:].lower(),
        "shape": shape(word),
        "title": word.istitle(),
        "upper": word.isupper(),
        "digit": word.isdigit(),
        "year": bool(YEAR_TOKEN_RE.fullmatch(word)),
        "journal": is_journal_word(word),
        "quoted": quoted,
        "pos": round(10 * i / max(1, n - 1)),
    }
    for offset in (-2, -1, 1, 2):
        j = i + offset
        if 0 <= j < n:
            other = toks[j].group(0)
            feats[f"{offset}:w"] = other.lower()
            feats[f"{offset}:shape"] = shape(other)
        else:
            feats[f"{offset}:edge"] = True
    return feats


def sequence_features(toks: list[re.Match[str]]) -> list[dict[str, object]]:
    quoted = False
    feats = []
    for i, tok in enumerate(toks):
        if tok.group(0) in "\"“”‘’'«»`":
            quoted = not quoted
        feats.append(token_features(toks, i, quoted))
    return feats


def decode(text: str, toks: list[re.Match[str]], labels: list[str]) -> SimpleNamespace:
    """A Reference-like object from the first run of each label."""
    spans: dict[str, tuple[int, int]] = {}
    for i, label in enumerate(labels):
        if label == "O":
            continue
        if label not in spans:
            spans[label] = (toks[i].start(), toks[i].end())
        elif labels[i - 1] == label or label == "author":
            spans[label] = (spans[label][0], toks[i].end())
    value = {k: text[a:b].strip(" ,.;:\"“”'‘’") for k, (a, b) in spans.items()}
    year = YEAR_TOKEN_RE.search(value.get("date", ""))
    return SimpleNamespace(
        authors=_names(value.get("author", "")),
        title=value.get("title"),
        container=value.get("container"),
        year=int(year.group(0)) if year else None,
        volume=value.get("volume"),
        issue=value.get("issue"),
        pages=value.get("pages"),
        doi=value.get("doi"),
        pmid=None,
        pmcid=None,
        url=value.get("url"),
        style=None,
        confidence=None,
    )


def _names(span: str) -> list[str]:
    """The names of an author span, split as the benchmark splits gold spans."""
    span = re.sub(r",?\s*\bet\.?\s*al\b\.?|\.\.\.|…", "", span)
    span = re.sub(r"\s+(?:and|&)\s+|\s*&\s*", ", ", span)
    parts = [p.strip() for p in re.split(r"[,;]", span) if p.strip(" .")]
    return bench._pair_inverted(parts)


def train(records: list[dict], model: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for record in records:
        text = clean_text(record["raw"])
        toks = tokens(text)
        if toks:
            trainer.append(sequence_features(toks), labels_for(text, toks, record["fields"]))
    trainer.set_params({"c1": 0.1, "c2": 0.01, "max_iterations": 200})
    trainer.train(str(model))


def predict(records: list[dict], model: Path) -> tuple[list[SimpleNamespace], float]:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    refs = []
    start = time.process_time()
    for record in records:
        text = clean_text(record["raw"])
        toks = tokens(text)
        labels = tagger.tag(sequence_features(toks)) if toks else []
        refs.append(decode(text, toks, labels))
    return refs, (time.process_time() - start) * 1e6 / max(1, len(records))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--train", choices=("even", "all"), default="even", help="the even half, or it and the dev set"
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="where to write the model")
    args = parser.parse_args(argv)
    try:
        import pycrfsuite  # noqa: F401
    except ImportError:
        print("python-crfsuite is not installed: pip install python-crfsuite", file=sys.stderr)
        return 2
    styles = bench.load(STYLE_SET, None)
    even = [r for r in styles if bench.id_parity(r["id"]) == "even"]
    odd = [r for r in styles if bench.id_parity(r["id"]) == "odd"]
    dev = bench.load(bench.DEFAULT_DATA, None) if bench.DEFAULT_DATA.exists() else []
    train(even + (dev if args.train == "all" else []), args.model)
    for name, records in (("odd half", odd), ("dev set", dev)):
        if not records:
            continue
        crf, cpu = predict(records, args.model)
        rules = [parse_reference(r["raw"]) for r in records]
        for label, refs in (("CRF", crf), ("rules", rules)):
            print(f"\n{name}, {label}" + (f" (CPU {cpu:.0f} µs per reference)" if label == "CRF" else ""))
            counts = bench.style_counts(records, refs)
            if name == "dev set":
                counts = {"dev": _merge(counts)}
            bench.print_style_table(counts)
    return 0


def _merge(counts: dict) -> dict:
    """One row for records without a style."""
    merged: dict = {}
    for style in counts.values():
        for field, c in style.items():
            merged.setdefault(field, type(c)()).update(c)
    return merged


if __name__ == "__main__":
    sys.exit(main())
