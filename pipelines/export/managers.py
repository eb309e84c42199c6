"""RIS and BibTeX from CSL-JSON items (csl.py), for the reference managers that import those.

RIS is written by ``rispy`` (the tags are its mapping); BibTeX by hand, since no well-kept
writer escapes LaTeX's special characters: titles and names are escaped, DOIs and URLs are not
(BibLaTeX and the ``url`` package read those verbatim).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

RIS_TYPES = {"article-journal": "JOUR", "webpage": "ELEC", "document": "GEN"}
BIBTEX_TYPES = {"article-journal": "article", "webpage": "misc", "document": "misc"}
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX))


def _name(name: dict[str, str], sep: str = ", ") -> str:
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}{sep}{name['given']}" if name.get("given") else name["family"]


def _page_range(page: str) -> tuple[str, str | None]:
    start, _, end = re.sub(r"\s*[-\u2010-\u2015]+\s*", "-", page).partition("-")
    return start, end or None


def _year(item: dict[str, Any]) -> str | None:
    parts = item.get("issued", {}).get("date-parts") or [[]]
    return str(parts[0][0]) if parts[0] else None


def _ids_note(item: dict[str, Any]) -> list[str]:
    return [f"{key}: {item[key]}" for key in ("PMID", "PMCID") if item.get(key)]


def ris_entry(item: dict[str, Any]) -> dict[str, Any]:
    """One CSL item as a ``rispy`` entry (field names of rispy.TAG_KEY_MAPPING)."""
    entry: dict[str, Any] = {"type_of_reference": RIS_TYPES.get(item["type"], "GEN"), "id": item["id"]}
    if item.get("author"):
        entry["authors"] = [_name(a) for a in item["author"]]
    for theirs, ours in (
        ("title", "title"),
        ("container-title", "secondary_title"),
        ("volume", "volume"),
        ("issue", "number"),
        ("DOI", "doi"),
    ):
        if item.get(theirs):
            entry[ours] = item[theirs]
    if item.get("page"):
        entry["start_page"], end = _page_range(item["page"])
        if end:
            entry["end_page"] = end
    if year := _year(item):
        entry["year"] = year
    if item.get("URL"):
        entry["urls"] = [item["URL"]]
    # RIS is one line per tag: each line of the note is a note of its own
    entry["notes"] = [*(item.get("note") or "").splitlines(), *_ids_note(item)]
    return entry


def ris_text(items: list[dict[str, Any]]) -> str:
    """The items as one RIS file."""
    import rispy

    return rispy.dumps([ris_entry(item) for item in items]) if items else ""


def latex_escape(text: str) -> str:
    return _LATEX_RE.sub(lambda m: _LATEX[m.group()], text)


def bibtex_key(item: dict[str, Any], taken: set[str]) -> str:
    """``family`` + year (ASCII letters and digits), made unique with a letter: smith2019a."""
    names = item.get("author") or [{}]
    first = names[0].get("family") or names[0].get("literal") or "ref"
    ascii_name = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode()
    base = (re.sub(r"[^A-Za-z]", "", ascii_name).lower() or "ref") + (_year(item) or "")
    key, n = base, 0
    while key in taken:
        key = base + chr(ord("a") + n % 26) + ("" if n < 26 else str(n // 26))
        n += 1
    taken.add(key)
    return key


def bibtex_entry(item: dict[str, Any], key: str) -> str:
    """One CSL item as a BibTeX entry."""
    fields: list[tuple[str, str]] = []
    if item.get("author"):
        names = [
            "{" + latex_escape(a["literal"]) + "}" if "literal" in a else latex_escape(_name(a))
            for a in item["author"]
        ]
        fields.append(("author", " and ".join(names)))
    for theirs, ours in (("title", "title"), ("container-title", "journal"), ("volume", "volume")):
        if item.get(theirs):
            fields.append((ours, latex_escape(item[theirs])))
    if item.get("issue"):
        fields.append(("number", latex_escape(item["issue"])))
    if item.get("page"):
        start, end = _page_range(item["page"])
        fields.append(("pages", latex_escape(f"{start}--{end}" if end else start)))
    if year := _year(item):
        fields.append(("year", year))
    for theirs, ours in (("DOI", "doi"), ("URL", "url")):
        if item.get(theirs):
            fields.append((ours, item[theirs].replace("{", "%7B").replace("}", "%7D")))
    for theirs, ours in (("PMID", "pmid"), ("PMCID", "pmcid")):
        if item.get(theirs):
            fields.append((ours, item[theirs]))
    if item.get("note"):
        fields.append(("note", latex_escape(item["note"].replace("\n", " "))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{BIBTEX_TYPES.get(item['type'], 'misc')}{{{key},\n{body}\n}}\n"


def bibtex_text(items: list[dict[str, Any]]) -> str:
    """The items as one BibTeX file, keys unique within it."""
    taken: set[str] = set()
    return "\n".join(bibtex_entry(item, bibtex_key(item, taken)) for item in items)
