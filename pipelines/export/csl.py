"""Parsed references as CSL-JSON items: the common form of the reference-manager exports.

CSL-JSON is what Zotero, Pandoc and citeproc read; RIS and BibTeX (managers.py) are written from
the same items, so the three formats agree. A reference cited by several posts is one item, with
the posts that cite it in its ``note``; fields the parser left empty stay out of the item.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

# "Smith JA", "van der Berg J-P", "O'Brien C": the family name, then the initials of the given names
_INITIALS_RE = re.compile(r"^(?P<family>.+?)\s+(?P<initials>[A-Z](?:[A-Z]|-[A-Z]){0,5})$")


def name_parts(name: str) -> dict[str, str]:
    """A parsed author ("Smith JA") as a CSL name: family and given ("J. A."); a name in
    any other shape (an organisation, a name the parser could not split) as a literal."""
    found = _INITIALS_RE.match(name.strip())
    if not found:
        return {"literal": name.strip()}
    given = re.sub(r"([A-Z])(?=[A-Z]|$)", r"\1. ", found["initials"]).replace("-", ".-").strip()
    return {"family": found["family"], "given": re.sub(r"\.\s*-", ".-", given)}


def reference_key(ref: dict[str, Any]) -> str:
    """What makes two references one work: the DOI, else the PMID or PMCID, else the string
    as printed (case, spacing and punctuation aside)."""
    if ref.get("doi"):
        return "doi:" + ref["doi"].lower()
    if ref.get("pmid"):
        return "pmid:" + ref["pmid"]
    if ref.get("pmcid"):
        return "pmcid:" + ref["pmcid"].upper()
    return "raw:" + re.sub(r"[\W_]+", " ", ref.get("raw") or "").strip().lower()


def item_type(ref: dict[str, Any]) -> str:
    """A CSL type from what the parser found: a work in a journal or other container, a web
    page (a bare link), or a document of unknown kind (never a guessed book)."""
    if ref.get("container"):
        return "article-journal"
    if ref.get("style") == "url" or (ref.get("url") and not ref.get("title")):
        return "webpage"
    return "document"


def csl_item(ref: dict[str, Any], cited_in: Iterable[str] = ()) -> dict[str, Any]:
    """One archived reference (a record's ``references`` entry) as a CSL-JSON item."""
    key = reference_key(ref)
    item: dict[str, Any] = {
        "id": "ref-" + hashlib.sha1(key.encode()).hexdigest()[:12],
        "type": item_type(ref),
    }
    if ref.get("authors"):
        item["author"] = [name_parts(a) for a in ref["authors"]]
    fields = {
        "title": "title",
        "container": "container-title",
        "volume": "volume",
        "issue": "issue",
        "pages": "page",
        "doi": "DOI",
        "pmid": "PMID",
        "pmcid": "PMCID",
        "url": "URL",
    }
    for ours, theirs in fields.items():
        if ref.get(ours):
            item[theirs] = str(ref[ours])
    if ref.get("year"):
        item["issued"] = {"date-parts": [[int(ref["year"])]]}
    cited = sorted(set(cited_in))
    item["note"] = ref["raw"] + ("\nCited in: " + " ; ".join(cited) if cited else "")
    return item


def collect_items(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The references of these article records as CSL items, one per work (``reference_key``):
    the first post's parse of it, with every post that cites it; in order of first sight."""
    first: dict[str, dict[str, Any]] = {}
    cited: dict[str, set[str]] = {}
    for record in records:
        for ref in record.get("references") or ():
            key = reference_key(ref)
            first.setdefault(key, ref)
            cited.setdefault(key, set()).add(record.get("canonical_url") or record.get("url") or "")
    return [csl_item(ref, cited[key] - {""}) for key, ref in first.items()]
