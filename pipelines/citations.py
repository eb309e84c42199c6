"""Link in-text citation markers ("(1)", "[2, 3]", "(1-3)") to reference entries."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from pipelines.models import Citation, Reference

# "(1)", "[2]", "[2, 3]", "(1-3)", "(1–3, 5)": one to three digits, so "(2019)" is not a marker.
# A square bracket may touch the word before it ("preferences[4]", from a <sup>4</sup>); a
# parenthesis may not ("f(1)" is notation, not a citation).
NUMERIC_MARKER = re.compile(r"(\[|(?<!\w)\()\s*(\d{1,3}(?:\s*[-–—,]\s*\d{1,3})*)\s*([\])])")
SUP_MARKER = re.compile(r"^\s*\[?\s*(\d{1,3}(?:\s*[-–—,]\s*\d{1,3})*)\s*\]?\s*$")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"(\[])")
MAX_RANGE = 50  # "(1-300)" is not a citation range anyone writes


def bracket_superscripts(tree: lxml_html.HtmlElement) -> None:
    """Turn ``<sup>4</sup>`` into the text "[4]" so the marker survives text extraction."""
    for sup in tree.xpath("//sup"):
        text = sup.text_content()
        match = SUP_MARKER.match(text)
        if match and not len(sup):
            sup.text = f"[{match.group(1).strip()}]"


def expand_numbers(spec: str) -> list[int]:
    """ "1-3, 5" -> [1, 2, 3, 5]."""
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", spec):
        bounds = re.split(r"\s*[-–—]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            lo, hi = int(bounds[0]), int(bounds[1])
            if lo <= hi and hi - lo <= MAX_RANGE:
                numbers.extend(range(lo, hi + 1))
                continue
        numbers.extend(int(b) for b in bounds if b.isdigit())
    return numbers


def sentences(paragraph: str) -> list[tuple[int, str]]:
    """(start offset, sentence) pairs."""
    out = []
    start = 0
    for match in SENTENCE_END.finditer(paragraph):
        out.append((start, paragraph[start : match.start()].strip()))
        start = match.end()
    out.append((start, paragraph[start:].strip()))
    return out


def link_citations(text: str, references: list[Reference]) -> tuple[list[Citation], list[int]]:
    """Every numeric marker in ``text`` with the entry it points to, and the uncited entries."""
    if not references:
        return [], []
    known = {r.n for r in references}
    citations: list[Citation] = []
    cited: set[int] = set()
    for paragraph in text.split("\n\n"):
        spans = sentences(paragraph)
        for match in NUMERIC_MARKER.finditer(paragraph):
            sentence = next((s for start, s in reversed(spans) if start <= match.start()), paragraph)
            for number in expand_numbers(match.group(2)):
                ref = number if number in known else None
                citations.append(Citation(marker=match.group(0), ref=ref, sentence=sentence))
                if ref is not None:
                    cited.add(ref)
    unused = sorted(known - cited)
    return citations, unused
