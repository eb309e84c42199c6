"""Find and normalise persistent identifiers in citation strings: DOI, PMID, PMCID."""

from __future__ import annotations

import re

# Crossref's recommended pattern (/^10.\d{4,9}/[-._;()/:A-Z0-9]+$/i), tolerating the stray
# space after "10." that PDF-to-text copies often carry ("doi: 10. 1093/jb/mvg083").
DOI_RE = re.compile(r"\b10\.\s?\d{4,9}/[-._;()/:a-z0-9<>\[\]]+", re.IGNORECASE)
PMID_RE = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)
PMCID_RE = re.compile(r"\bPMC\s?(\d{4,9})\b", re.IGNORECASE)
PUBMED_URL_RE = re.compile(r"pubmed(?:\.ncbi\.nlm\.nih\.gov|/)/?(\d{1,9})\b", re.IGNORECASE)
TRAILING_PUNCT = ".,;:)]}>'\""


def normalize_doi(value: str | None) -> str | None:
    """Lower-case DOI without resolver prefix, "doi:" label, spaces or trailing punctuation."""
    if not value:
        return None
    match = DOI_RE.search(value)
    if not match:
        return None
    doi = match.group(0).replace(" ", "").lower()
    doi = doi.rstrip(TRAILING_PUNCT)
    # A closing parenthesis is part of some DOIs ("10.1016/s0140-6736(20)30183-5"): keep it
    # when the DOI opened one, strip it otherwise (done above, so restore a balanced one).
    if doi.count("(") > doi.count(")") and match.group(0).rstrip(".,;:'\"").endswith(")"):
        doi += ")"
    return doi or None


def find_doi(text: str) -> str | None:
    """The first DOI in ``text``, normalised, or None."""
    return normalize_doi(text)


def find_pmid(text: str) -> str | None:
    """A PMID from "PMID: 123" or a PubMed URL, digits only."""
    match = PMID_RE.search(text) or PUBMED_URL_RE.search(text)
    return match.group(1) if match else None


def find_pmcid(text: str) -> str | None:
    """A PMCID as "PMC" + digits."""
    match = PMCID_RE.search(text)
    return f"PMC{match.group(1)}" if match else None
