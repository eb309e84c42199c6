"""Every output of the pure stages on a fixed set of inputs, one JSON line each, for diffing.

    python bench/golden.py --out /tmp/before.jsonl        # before a change that must not alter outputs
    python bench/golden.py --out /tmp/after.jsonl         # after it
    python bench/golden.py --compare /tmp/before.jsonl /tmp/after.jsonl
    python bench/golden.py --out /tmp/g.jsonl --limit 5   # CI smoke run

Inputs: the article-extraction benchmark's pages and Mozilla Readability's test pages (from
``../shared/benchmarks`` when present), every HTML page under ``tests/fixtures/``, 300 posts of
the synthetic benchmark site, and the reference strings of GROBID's dev set, its TEI files and
``tests/fixtures/references``. Each page gives its record (``extract_article``, as the crawl
calls it) and each reference string its parse (``parse_reference``). A speed-up or a linear-time
rewrite of a pattern must leave every line byte-identical; ``--compare`` lists the lines that differ.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.references import load as load_references  # noqa: E402
from pipelines.archive import article_record  # noqa: E402
from pipelines.extract import extract_article  # noqa: E402
from pipelines.record import Article  # noqa: E402
from pipelines.references import parse_reference  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
SYNTHETIC_POSTS = 300


def pages(limit: int | None) -> Iterator[tuple[str, str, str]]:
    """(key, url, html) of every page in the set, at most ``limit`` from each source."""
    yield from _first(zyte_pages(), limit)
    yield from _first(readability_pages(), limit)
    yield from _first(_fixture_pages(), limit)
    yield from _first(_synthetic_pages(), limit)


def _first(items: Iterator, limit: int | None) -> Iterator:
    for i, item in enumerate(items):
        if limit is not None and i >= limit:
            return
        yield item


def zyte_pages(data: Path = SHARED / "article-extraction") -> Iterator[tuple[str, str, str]]:
    """(key, url, html) of the article-extraction set (or a sample in its layout)."""
    if not (data / "ground-truth.json").exists():
        return
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        path = data / "html" / f"{key}.html.gz"
        if path.exists():
            yield f"zyte/{key}", truth[key].get("url") or f"https://example.com/{key}", _text(path)


def readability_pages() -> Iterator[tuple[str, str, str]]:
    """(key, url, html) of Mozilla Readability's test pages."""
    archive = SHARED / "readability" / "pages.tar.xz"
    if not archive.exists():
        return
    with tarfile.open(archive) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if member.name.endswith("/source.html"):
                name = member.name.split("/")[-2]
                data = tar.extractfile(member).read()  # type: ignore[union-attr]
                html = data.decode("utf-8", "replace")
                yield f"readability/{name}", f"https://{name}.example/article", html


def _readability_meta() -> dict[str, dict]:
    """Each readability page's expected metadata (readerable, byline, date...), by key."""
    archive = SHARED / "readability" / "pages.tar.xz"
    if not archive.exists():
        return {}
    meta = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if member.name.endswith("/expected-metadata.json"):
                name = member.name.split("/")[-2]
                meta[f"readability/{name}"] = json.loads(tar.extractfile(member).read())  # type: ignore[union-attr]
    return meta


def _fixture_pages() -> Iterator[tuple[str, str, str]]:
    fixtures = ROOT / "tests" / "fixtures"
    for path in sorted(fixtures.rglob("*.html*")):
        relative = path.relative_to(fixtures).as_posix()
        yield f"fixtures/{relative}", f"https://fixture.example/{relative}", _text(path)


def _synthetic_pages() -> Iterator[tuple[str, str, str]]:
    from bench._synthetic_site import build_site

    site = build_site("http://127.0.0.1:8000", SYNTHETIC_POSTS)
    for path in site.post_paths:
        _, chunks = site.routes[path]
        yield f"synthetic{path}", site.base + path, b"".join(chunks).decode("utf-8")


def _text(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.GzipFile(fileobj=io.BytesIO(data)).read()
    return data.decode("utf-8", "replace")


def reference_strings(limit: int | None) -> Iterator[tuple[str, str]]:
    """(key, raw) of every reference string in the set."""
    sources = [
        SHARED / "references" / "grobid_biomed_dev.jsonl",
        *sorted((SHARED / "references" / "original").glob("*.xml")),
        ROOT / "tests" / "fixtures" / "references" / "grobid_biomed_dev_sample.jsonl",
    ]
    for path in sources:
        if path.exists():
            for i, record in enumerate(_first(iter(load_references(path, None)), limit)):
                yield f"{path.name}/{i}", record["raw"]
    styles = json.loads((ROOT / "tests" / "fixtures" / "references" / "styles.json").read_text("utf-8"))
    for item in _first(iter(styles), limit):
        yield f"styles.json/{item['name']}", item["raw"]


def golden_lines(limit: int | None = None) -> Iterator[str]:
    """One JSON line per page and per reference string: its key and what the stage made of it."""
    for key, url, html in pages(limit):
        result = extract_article(html, url, fetched_at="2026-01-01T00:00:00Z")
        if isinstance(result, Article):
            out: object = article_record(result, 1, "golden", tool="golden")
        else:
            out = {"kind": type(result).__name__, **{k: str(v) for k, v in vars_of(result).items()}}
        yield json.dumps({"key": key, "out": out}, ensure_ascii=False, sort_keys=True)
    for key, raw in reference_strings(limit):
        ref = parse_reference(raw, n=1)
        yield json.dumps({"key": key, "out": vars_of(ref)}, ensure_ascii=False, sort_keys=True, default=str)


def vars_of(obj: object) -> dict:
    slots = getattr(type(obj), "__slots__", None)
    if slots:
        return {name: getattr(obj, name) for name in slots}
    return dict(vars(obj))


def compare(before: Path, after: Path) -> int:
    """Print the keys whose lines differ; 0 when every line is identical."""
    old = _by_key(before)
    new = _by_key(after)
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    for key in changed:
        print(f"differs: {key}")
    print(f"{len(old)} lines before, {len(new)} after, {len(changed)} differ")
    return 1 if changed else 0


def _by_key(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["key"]: line for line in lines}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, help="write the golden lines here")
    parser.add_argument("--limit", type=int, help="at most this many inputs from each source")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        parser.error("--out or --compare is required")
    count = 0
    with args.out.open("w", encoding="utf-8") as out:
        for line in golden_lines(args.limit):
            out.write(line + "\n")
            count += 1
    print(f"{count} golden lines written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
