"""Field-level precision / recall / F1 of the reference parser on labelled references.

    python bench/references.py                      # the biomedical dev set (1,695 references)
    python bench/references.py --limit 20           # CI smoke run
    python bench/references.py --data ../shared/benchmarks/references/original/citations.xml \
        --exclude ../shared/benchmarks/references/grobid_biomed_dev.jsonl   # held-out TEI part
    python bench/references.py --errors title       # print the mismatches of one field
    python bench/references.py --data tests/fixtures/references/styles.jsonl   # + per-style table
    python bench/references.py --data tests/fixtures/references/styles.jsonl --style mla --errors title
    python bench/references.py --data tests/fixtures/references/styles.jsonl --half even   # tuning half

How values are compared (after the dataset README): lower-case, Unicode NFKC, every character
that is not a letter or digit removed; year = the first 4-digit year in the gold ``date``; DOI =
from "10." on, lower-cased, spaces removed; PMID digits; PMCID "PMC" + digits; URL without its
scheme and a leading "www." on both sides (MLA prints "www.jstor.org/stable/1914185" with no
scheme, and the parser adds one: the two are the same link).

Authors: both sides are turned into a list of name keys, surname + initials ("salazar ap"),
with generation suffixes (Jr, 3rd, III) dropped; the gold list is split here, independently of
the parser's own code. It reads Vancouver spans ("Salazar AP, Stein C"), inverted ones ("Smith,
J. A.; Doe, B.", "Smith, J. and Doe, B.", MLA's "Smith, John, and Jane Doe", MNRAS's "Navarro
J. F."), given names first ("J. A. Smith and J. Doe"), lower-case particles ("van der Waals,
J. D.") and groups before names ("Planck Collaboration, Aghanim, N."). The ``authors`` row
counts a reference right only when the whole list matches in order; the ``author names`` row
counts single names (a multiset match), which shows how close the misses are.

Issue: two rows. ``issue`` compares the parser's ``issue`` (the number: "14" of "40(Suppl 14)",
"4" of "88(4 Pt 1)"; NLM's qualifier goes to ``issue_qualifier``) with the labels as given; the
target is judged on it. ``issue, NLM`` is for information: it sets aside the qualifier words
("Suppl", "Pt 1", "RR") on both sides, since the labels drop them most of the time ("suppl 3" ->
"3", "4 Pt 1" -> "4") but keep them once ("Supplement 1"). Issues printed in the string but not
labelled at all ("31(1)", "(Suppl I)") count against us in both rows.

Counting: a predicted value is a "prediction", a gold value a "gold"; precision = correct /
predictions, recall = correct / golds. A value predicted where the gold has none counts against
precision. Timing is of ``parse_reference`` alone, in one process: wall-clock mean and 95th
percentile per call, and CPU time per reference (process time over the whole run, which other
processes on a busy machine do not inflate).

Styles: when the records carry a ``style`` (tests/fixtures/references/styles.jsonl: ACS,
astronomy, physics, IEEE/ACM/LNCS, Chicago, MLA, Harvard, and strings with HTML markup left in),
a second table gives each style's accuracy per field: over the references where the gold has the
field or the parser gave a value, the share whose normalised values are equal (a wrong or
spurious value counts against; a field absent on both sides is not counted). Only the fields the
style's gold has are shown; ``mean`` is the mean over them; the ``all`` row sums each field's
counts over those styles. Gold ``journal`` and ``booktitle`` are both the ``container``;
``publisher`` is not scored. ``--style NAME`` keeps one style (``--errors`` then lists its
mismatches). The ``named`` column is the share of a style's references whose ``style`` the parser
named as the set's style (astro = "astronomy"); ``-`` for ``markup``, whose strings are in several
styles. The set's ``ieee`` references include ACM and LNCS ones, which the schema has no name for:
they count as not named right.

Halves: ``--half even`` keeps the references whose id ends in an even number (acs-002), ``--half
odd`` the others. Rules are tuned on the even half only; the odd half is the held-out check.

Calibration: after the tables, the references are put in bands of the parser's ``confidence``
(<0.5, 0.5-0.7, 0.7-0.85, 0.85-0.95, >=0.95), and each band gives its count, the share of its
references with every field right (every field the gold has or the parser gave, as in the
per-style table) and the mean of their per-reference field accuracy. A confidence that means
something has accuracy rising with the band.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.references import parse_reference  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "references" / "grobid_biomed_dev.jsonl"
FIELDS = ("authors", "title", "container", "year", "volume", "issue", "pages", "doi", "pmid", "pmcid", "url")
STYLE_FIELDS = ("authors", "title", "container", "year", "volume", "issue", "pages", "doi", "url")
NLM_ISSUE = "issue, NLM"
TARGETS = {
    "doi": 0.99,
    "year": 0.99,
    "authors": 0.95,
    "volume": 0.95,
    "pages": 0.95,
    "title": 0.93,
    "container": 0.93,
    "issue": 0.90,
}
# NLM's qualifiers inside an issue: "Suppl 3", "Supplement 1", "4 Pt 1", "Pt4", "RR-6", "Spec No".
ISSUE_QUALIFIER_RE = re.compile(
    r"\b(?:suppl(?:ement)?|spec(?:ial)?\s+no|rr)\b\.?-?|\b(?:pt|part)\.?\s*\w+", re.I
)
TEI_NS = "{http://www.tei-c.org/ns/1.0}"
SUFFIXES = {"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV", "2nd", "3rd", "4th"}
PARTICLES = {
    "van",
    "von",
    "der",
    "den",
    "de",
    "del",
    "della",
    "di",
    "da",
    "du",
    "dos",
    "le",
    "la",
    "ten",
    "ter",
}
# Letters beyond ASCII for the name patterns: "Ž." is an initial, "Brené" and "José" given names.
UPPER = "".join(c for c in map(chr, range(0x41, 0x250)) if c.isupper())
LOWER = "".join(c for c in map(chr, range(0x61, 0x250)) if c.islower())
UP, LO = f"[{UPPER}]", f"[{LOWER}]"
GIVEN_WORD = rf"{UP}{LO}+(?:-[{UPPER}{LOWER}]{LO}+)?"


def norm(value: str | None) -> str:
    """Lower-case, NFKC, letters and digits only."""
    if not value:
        return ""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", value).casefold())


def norm_doi(value: str | None) -> str:
    if not value:
        return ""
    match = re.search(r"10\s*\.\s*\S.*", value)
    return norm(match.group(0).replace(" ", "")) if match else ""


def norm_issue(value: str | None) -> str:
    """The issue with NLM's qualifier words set aside: "Suppl 3" -> "3", "4 Pt 1" -> "4"."""
    return norm(ISSUE_QUALIFIER_RE.sub(" ", value or ""))


def norm_url(value: str | None) -> str:
    """A link without its scheme and a leading "www.": "https://www.jstor.org/x" = "jstor.org/x"."""
    value = re.sub(r"^\s*(?:[a-z][a-z0-9+.-]{0,10}\s?:\s?)?//\s?", "", value or "", flags=re.I)  # "http: //"
    return norm(re.sub(r"^www\s?\.", "", value, flags=re.I))


def first_year(value: str | None) -> str:
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", value or "")
    return match.group(1) if match else ""


# --- authors -------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """ "Salazar AP" / "Smith, J. A." / "J. A. Smith" / "John A. Smith" -> "salazar ap"."""
    name = re.sub(r"\s+", " ", name.replace("- ", "-")).strip(" ,.;")
    if "," in name:
        surname, _, given = name.partition(",")
        return _key(surname, _initials(given))
    tokens = [t for t in name.split() if t not in SUFFIXES]
    if len(tokens) == 1 and len(name.split()) == 2:
        tokens = name.split()  # "Grigorieva IV": initials I. V., not the suffix IV
    if not tokens:
        return ""
    last = tokens[-1].strip(".")
    if len(tokens) > 1 and (
        re.fullmatch(rf"{UP}{{1,4}}(?:-{UP}{{1,2}})?", last) or re.fullmatch(rf"(?:{UP}\.)+", tokens[-1])
    ):
        # "Salazar AP", "Springel V.", and MNRAS's "Navarro J. F." (initials in several tokens)
        first = len(tokens) - 1
        while first > 1 and re.fullmatch(rf"(?:{UP}\.)+", tokens[first - 1]):
            first -= 1
        return _key(" ".join(tokens[:first]), _initials(" ".join(tokens[first:])))
    if re.fullmatch(r"(?:[A-Z]\.\s?-?)+", tokens[0]) or len(tokens) > 1:
        # given names first: the surname starts at the first particle or is the last token
        for i, token in enumerate(tokens[1:], start=1):
            if token.lower() in PARTICLES:
                return _key(" ".join(tokens[i:]), _initials(" ".join(tokens[:i])))
        return _key(tokens[-1], _initials(" ".join(tokens[:-1])))
    return _key(tokens[0], "")


def _initials(given: str) -> str:
    given = re.sub(r"\b(?:Jr|Sr|II|III|IV|2nd|3rd|4th)\b\.?", "", given)
    if re.fullmatch(rf"\s*{UP}{{1,4}}(?:-{UP}{{1,2}})?\s*", given):
        return given.replace("-", "").strip()
    return "".join(part[0] for part in re.findall(r"[^\W\d_]+", given))


def _key(surname: str, initials: str) -> str:
    return f"{norm(surname)} {norm(initials)}".strip()


def split_gold_authors(values: list[str]) -> list[str]:
    """Gold author spans -> name keys (spans hold whole lists: "Martin WF, Garg S, Zimorski V")."""
    keys: list[str] = []
    for value in values:
        value = re.sub(r",?\s*\bet\.?\s*al\b\.?|\band others\b|\.\.\.|…", "", value)
        value = re.sub(r"\s+(?:and|&)\s+|\s*&\s*", ", ", value)
        parts = [p.strip() for p in re.split(r"[,;]", value) if p.strip(" .")]
        keys.extend(k for k in (name_key(p) for p in _pair_inverted(parts)) if k)
    return keys


def _pair_inverted(parts: list[str]) -> list[str]:
    """Join "Smith", "J. A." (and "Smith", "John") back into one name; keep "Salazar AP" whole.

    A given name is not taken when initials follow it ("Planck Collaboration", "Aghanim", "N."
    is a group and then Aghanim N); after a one-word surname (particles aside) it may have two or
    three words ("Hurston", "Zora Neale").
    """
    names: list[str] = []
    i = 0
    while i < len(parts):
        part, following = parts[i], parts[i + 1] if i + 1 < len(parts) else None
        if part.upper().strip(". ") in {s.upper().strip(".") for s in SUFFIXES} and names:
            names[-1] += " " + part  # "Gantt, G. A., Jr."
            i += 1
            continue
        surname_words = [w for w in part.split() if w not in PARTICLES]
        after = parts[i + 2] if i + 2 < len(parts) else None
        given = following is not None and (
            _is_given(following) or (len(surname_words) == 1 and _is_given(following, words=3))
        )
        pairable = following is not None and (
            _is_initials(following) or (given and not (after is not None and _is_initials(after)))
        )
        vancouver = re.fullmatch(
            r".+\s[A-Z]{1,4}(?:-[A-Z]{1,2})?(?:\s(?:Jr|Sr|II|III|IV|2nd|3rd|4th)\.?)?", part
        )
        # "van der Waals" and "O'Brien" are surnames too (lower-case particles only: counting
        # "Van Den" too would change the GROBID dev set's gold, and with it its figures)
        surname_only = len(surname_words) <= 2 and not re.search(r"\b[A-Z]\b(?!['’])", part)
        if pairable and surname_only and not vancouver:
            names.append(f"{part}, {following}")
            i += 2
        else:
            names.append(part)
            i += 1
    return names


def _is_initials(part: str) -> bool:
    return bool(re.fullmatch(rf"\s*(?:{UP}\.?\s?-?\s?){{1,4}}\s*", part))


def _is_given(part: str, words: int = 1) -> bool:
    """ "Robert P." / "Ivan E." / "David" / "José": given names written after a comma.

    ``words`` > 1 also takes "Zora Neale", "Henry Louis", "Viet Thanh".
    """
    pattern = rf"\s*{GIVEN_WORD}(?:\s+{GIVEN_WORD}){{0,{words - 1}}}(?:\s+{UP}\.?){{0,2}}\s*"
    return bool(re.fullmatch(pattern, part))


# --- data ----------------------------------------------------------------------------------


def load(path: Path, exclude: Path | None) -> list[dict]:
    skip = set()
    if exclude:
        skip = {json.loads(line)["raw"] for line in exclude.read_text(encoding="utf-8").splitlines() if line}
    if path.suffix == ".xml":
        records = load_tei(path)
    else:
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in records if r["raw"] not in skip]


def load_tei(path: Path) -> list[dict]:
    """GROBID/TEI ``<bibl>`` elements -> the JSONL record shape (raw + tagged spans)."""
    from lxml import etree

    records = []
    for i, bibl in enumerate(etree.parse(str(path)).iter(TEI_NS + "bibl", "bibl")):
        raw = re.sub(r"\s+", " ", "".join(bibl.itertext())).strip()
        fields: dict[str, list[str]] = {}
        for child in bibl:
            tag = etree.QName(child).localname
            text = re.sub(r"\s+", " ", "".join(child.itertext())).strip()
            if tag == "title":
                key = {"a": "title", "j": "journal", "m": "booktitle"}.get(child.get("level") or "a", "title")
            elif tag == "biblScope":
                unit = child.get("unit") or child.get("type")
                key = {
                    "vol": "volume",
                    "volume": "volume",
                    "issue": "issue",
                    "pp": "pages",
                    "page": "pages",
                }.get(unit or "", unit or "scope")
            elif tag == "idno":
                key = (child.get("type") or "idno").lower()
            elif tag == "ptr":
                key, text = "url", child.get("target") or text
            else:
                key = tag
            fields.setdefault(key, []).append(text)
        records.append({"id": f"tei{i:05d}", "raw": raw, "fields": fields})
    return records


def gold_values(fields: dict[str, list[str]]) -> dict[str, object]:
    first = {k: (v[0] if v else None) for k, v in fields.items()}
    container = first.get("journal") or first.get("container") or first.get("booktitle")
    pmid = re.sub(r"\D", "", first.get("pmid") or "")
    pmcid = re.sub(r"\D", "", first.get("pmcid") or "")
    return {
        "authors": split_gold_authors(fields["author"]) if fields.get("author") else None,
        "title": norm(first.get("title")),
        "container": norm(container),
        "year": first_year(first.get("date")),
        "volume": norm(first.get("volume")),
        "issue": norm(first.get("issue")),
        NLM_ISSUE: norm_issue(first.get("issue")),
        "pages": norm(first.get("pages")),
        "doi": norm_doi(first.get("doi")),
        "pmid": pmid,
        "pmcid": f"pmc{pmcid}" if pmcid else "",
        "url": norm_url(first.get("url")),
    }


def predicted_values(ref) -> dict[str, object]:
    return {
        "authors": [k for k in (name_key(a) for a in ref.authors) if k] or None,
        "title": norm(ref.title),
        "container": norm(ref.container),
        "year": str(ref.year) if ref.year else "",
        "volume": norm(ref.volume),
        "issue": norm(ref.issue),
        NLM_ISSUE: norm_issue(ref.issue),
        "pages": norm(ref.pages),
        "doi": norm_doi(ref.doi),
        "pmid": ref.pmid or "",
        "pmcid": norm(ref.pmcid),
        "url": norm_url(ref.url),
    }


# --- scoring -------------------------------------------------------------------------------


def prf(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


SCORED = (*FIELDS[:6], NLM_ISSUE, *FIELDS[6:])


def run(records: list[dict], errors_field: str | None, show: int) -> int:
    refs, timings, cpu = parse_all(records)
    counts = {f: Counter() for f in (*SCORED, "author names")}
    shown = 0
    for record, ref in zip(records, refs, strict=True):
        gold, pred = gold_values(record["fields"]), predicted_values(ref)
        for field in SCORED:
            g, p = gold[field], pred[field]
            counts[field]["gold"] += bool(g)
            counts[field]["pred"] += bool(p)
            counts[field]["ok"] += bool(g) and g == p
            if field == errors_field and g != p and (g or p) and shown < show:
                shown += 1
                print(f"[{record.get('id')}] {record['raw']}\n    gold={g!r}\n    pred={p!r}\n")
        g_names, p_names = Counter(gold["authors"] or []), Counter(pred["authors"] or [])
        counts["author names"]["gold"] += sum(g_names.values())
        counts["author names"]["pred"] += sum(p_names.values()) if gold["authors"] else 0
        counts["author names"]["ok"] += sum((g_names & p_names).values())
    print_table(counts, timings, cpu, len(records))
    if any(record.get("style") for record in records):
        print()
        print_style_table(style_counts(records, refs))
    print()
    print_calibration(calibration(records, refs))
    return 0


# The parser's name for each style of the set; ``markup`` strings are in several styles.
PARSER_STYLE = {
    "acs": "acs",
    "astro": "astronomy",
    "physics": "physics",
    "ieee": "ieee",
    "chicago": "chicago",
    "mla": "mla",
    "harvard": "harvard",
}


def style_counts(records: list[dict], refs: list) -> dict[str, dict[str, Counter]]:
    """style -> field -> counts: ``gold`` (gold has it), ``counted`` (gold or prediction), ``ok``;
    style -> "references" -> ``n``, and style -> "named" -> ``ok`` (the parser named the style)."""
    counts: dict[str, dict[str, Counter]] = {}
    for record, ref in zip(records, refs, strict=True):
        name = record.get("style") or "(none)"
        style = counts.setdefault(name, {f: Counter() for f in ("references", "named", *STYLE_FIELDS)})
        style["references"]["n"] += 1
        if name in PARSER_STYLE:
            style["named"]["counted"] += 1
            style["named"]["ok"] += getattr(ref, "style", None) == PARSER_STYLE[name]
        gold, pred = gold_values(record["fields"]), predicted_values(ref)
        for field in STYLE_FIELDS:
            g, p = gold[field], pred[field]
            style[field]["gold"] += bool(g)
            style[field]["counted"] += bool(g or p)
            style[field]["ok"] += bool(g or p) and g == p
    return counts


def accuracy(c: Counter) -> float:
    return c["ok"] / c["counted"] if c["counted"] else 0.0


def print_style_table(counts: dict[str, dict[str, Counter]]) -> None:
    """Rows: styles, then ``all``; columns: the fields some style's gold has, then the mean."""
    fields = [f for f in STYLE_FIELDS if any(c[f]["gold"] for c in counts.values())]
    width = max(6, *(len(s) for s in counts))
    head = f"{'style':<{width}}{'n':>5}{'named':>7}"
    print(head + "".join(f"{f:>10}" for f in fields) + f"{'mean':>8}")
    total = {f: Counter() for f in (*fields, "named")}
    for style, c in counts.items():
        total["named"].update(c["named"])
        named = f"{accuracy(c['named']):>7.3f}" if c["named"]["counted"] else f"{'-':>7}"
        cells, accs = [], []
        for f in fields:
            if c[f]["gold"]:
                accs.append(accuracy(c[f]))
                cells.append(f"{accs[-1]:>10.3f}")
                total[f].update(c[f])
            else:
                cells.append(f"{'-':>10}")
        mean = f"{statistics.fmean(accs):>8.3f}" if accs else f"{'-':>8}"
        print(f"{style:<{width}}{c['references']['n']:>5}{named}" + "".join(cells) + mean)
    n = sum(c["references"]["n"] for c in counts.values())
    accs = [accuracy(total[f]) for f in fields]
    mean = f"{statistics.fmean(accs):>8.3f}" if accs else f"{'-':>8}"
    named = f"{accuracy(total['named']):>7.3f}" if total["named"]["counted"] else f"{'-':>7}"
    print(f"{'all':<{width}}{n:>5}{named}" + "".join(f"{a:>10.3f}" for a in accs) + mean)
    print(
        "accuracy = right / references where the gold has the field or the parser gave a value"
        " (- = not in that style's gold); named = style named as the set's"
    )


# Lower edges of the confidence bands of the calibration table.
BANDS = (0.0, 0.5, 0.7, 0.85, 0.95)


def calibration(records: list[dict], refs: list) -> list[dict[str, float]]:
    """Per confidence band: references, share with every field right, mean field accuracy
    (a reference's fields are those the gold has or the parser gave, as in the style table)."""
    rows = [{"n": 0, "all_right": 0, "accuracy": 0.0} for _ in BANDS]
    for record, ref in zip(records, refs, strict=True):
        gold, pred = gold_values(record["fields"]), predicted_values(ref)
        counted = [f for f in FIELDS if gold[f] or pred[f]]
        right = sum(1 for f in counted if gold[f] == pred[f])
        band = max(i for i, low in enumerate(BANDS) if (ref.confidence or 0.0) >= low)
        rows[band]["n"] += 1
        rows[band]["all_right"] += right == len(counted)
        rows[band]["accuracy"] += right / len(counted) if counted else 1.0
    return rows


def print_calibration(rows: list[dict[str, float]]) -> None:
    print(f"{'confidence':<12}{'n':>6}{'share':>8}{'all right':>11}{'field acc':>11}")
    edges = [*BANDS[1:], None]
    total = sum(r["n"] for r in rows) or 1
    for low, high, row in zip(BANDS, edges, rows, strict=True):
        label = f">={low:g}" if high is None else f"<{high:g}" if low == 0 else f"{low:g}-{high:g}"
        n = row["n"]
        if n:
            right, acc = row["all_right"] / n, row["accuracy"] / n
            print(f"{label:<12}{n:>6}{n / total:>8.3f}{right:>11.3f}{acc:>11.3f}")
        else:
            print(f"{label:<12}{n:>6}{0:>8.3f}{'-':>11}{'-':>11}")
    print("calibration: all right = share of the band's references with every field right;")
    print("field acc = their mean share of fields right")


def parse_all(records: list[dict]) -> tuple[list, list[float], float]:
    """Parse every string, timing only the parser: per-call wall clock, and CPU time in total."""
    refs, timings = [], []
    cpu_start = time.process_time()
    for record in records:
        start = time.perf_counter()
        refs.append(parse_reference(record["raw"]))
        timings.append((time.perf_counter() - start) * 1e6)
    return refs, timings, (time.process_time() - cpu_start) * 1e6


def print_table(counts: dict[str, Counter], timings: list[float], cpu: float, n: int) -> None:
    print(f"{n} references")
    print(f"{'field':<14}{'gold':>6}{'pred':>6}{'ok':>6}{'prec':>8}{'recall':>8}{'F1':>8}{'target':>8}")
    f1s: dict[str, float] = {}
    for field, c in counts.items():
        p, r, f1 = prf(c["ok"], c["pred"], c["gold"])
        if field in SCORED and c["gold"]:
            f1s[field] = f1
        target = TARGETS.get(field)
        mark = "" if target is None else (f"{target:.2f}" + (" ok" if f1 >= target else " LOW"))
        print(f"{field:<14}{c['gold']:>6}{c['pred']:>6}{c['ok']:>6}{p:>8.3f}{r:>8.3f}{f1:>8.3f}  {mark}")
    targeted = [f1s[f] for f in TARGETS if f in f1s]
    if targeted:
        print(f"mean F1, {len(targeted)} target fields: {statistics.fmean(targeted):.3f} (target 0.95)")
    every = [f1s[f] for f in FIELDS if f in f1s]
    if every:
        mean_all = statistics.fmean(every)
        print(f"mean F1, all {len(every)} fields with gold values: {mean_all:.3f}")
    if timings:
        ordered = sorted(timings)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        mean = statistics.fmean(timings)
        wall = f"wall mean {mean:.0f} µs, p95 {p95:.0f} µs, max {ordered[-1]:.0f} µs"
        print(f"time per reference: CPU {cpu / n:.0f} µs; {wall}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSONL (dev-set shape) or TEI XML")
    parser.add_argument("--limit", type=int, default=None, help="only the first N references")
    parser.add_argument("--exclude", type=Path, default=None, help="JSONL whose raw strings to skip")
    parser.add_argument("--errors", choices=SCORED, default=None, help="print mismatches of this field")
    parser.add_argument("--show", type=int, default=40, help="how many mismatches to print")
    parser.add_argument("--style", default=None, help="only the references of this style (data with styles)")
    parser.add_argument(
        "--half", choices=("even", "odd"), default=None, help="only references whose id number is even/odd"
    )
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    records = load(args.data, args.exclude)
    if args.style:
        styles = sorted({r.get("style") for r in records if r.get("style")})
        records = [r for r in records if r.get("style") == args.style]
        if not records:
            known = ", ".join(styles) or "no styles"
            print(f"no references of style {args.style!r}; the data has {known}", file=sys.stderr)
            return 2
    if args.half:
        records = [r for r in records if id_parity(r.get("id")) == args.half]
    records = records[: args.limit]
    return run(records, args.errors, args.show)


def id_parity(record_id: str | None) -> str | None:
    """ "even" for "acs-002", "odd" for "acs-001"; None for an id without a final number."""
    match = re.search(r"(\d+)$", record_id or "")
    return None if match is None else ("even" if int(match.group(1)) % 2 == 0 else "odd")


if __name__ == "__main__":
    sys.exit(main())
