"""Normalisation: dates, URLs, ids, author names and credentials, text, hashes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from dateutil import parser as dateparser

# --- Dates --------------------------------------------------------------------------------

ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
# "03/04/2023" is March 4 in the US and 3 April elsewhere: unsure, so not a date.
AMBIGUOUS_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\s*$")
# Years outside this range in page metadata are typos or placeholders, not publication dates.
MIN_YEAR, MAX_YEAR = 1990, 2100


def parse_datetime(value: str | None) -> datetime | None:
    """Parse ISO 8601, RFC 822 (feeds) or a written date ("March 14, 2023"); None if unsure."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 64:
        return None
    ambiguous = AMBIGUOUS_NUMERIC.match(value)
    if ambiguous and int(ambiguous[1]) <= 12 and int(ambiguous[2]) <= 12 and ambiguous[1] != ambiguous[2]:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            try:
                parsed = dateparser.parse(value, default=datetime(1900, 1, 1))
            except (ValueError, OverflowError, TypeError):
                return None
    if parsed is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    return parsed


def parse_date(value: str | None) -> date | None:
    """The calendar date a string states (its own local date, not shifted to UTC)."""
    match = ISO_DATE.match(value or "")
    if match:
        try:
            parsed = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None
    dt = parse_datetime(value)
    return dt.date() if dt else None


def iso_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` for any date string we can read with confidence, else None."""
    parsed = parse_date(value)
    return parsed.isoformat() if parsed else None


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Ids and hashes -----------------------------------------------------------------------


def article_id(canonical_url: str) -> str:
    """Stable across crawls: the first 16 hex digits of SHA-256 of the canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return f"sha256:{digest.hexdigest()}"


# --- Text ---------------------------------------------------------------------------------

INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean_line(line: str) -> str:
    """NFC, invisible characters dropped, runs of spaces collapsed."""
    if line.isascii():  # most lines: already NFC, no invisible characters, spaces are " " and "\t"
        return (SPACES.sub(" ", line) if "  " in line or "\t" in line else line).strip()
    line = INVISIBLE.sub("", unicodedata.normalize("NFC", line))
    return SPACES.sub(" ", line).strip()


def join_paragraphs(paragraphs: list[str]) -> str:
    """Paragraphs separated by one blank line, none empty."""
    return "\n\n".join(p for p in (clean_line(p) for p in paragraphs) if p)


WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def solid_chars(text: str) -> int:
    """Characters that are not white space (the common ones, counted by str.count in C): a
    length that means the same in every script, where words do not (Chinese has no spaces)."""
    return len(text) - sum(text.count(c) for c in " \n\t\r\xa0")


# --- Authors ------------------------------------------------------------------------------

HONORIFICS = re.compile(r"^(dr|doctor|prof|professor|mr|mrs|ms|mx|miss|sir)\.?\s+", re.IGNORECASE)
BYLINE_PREFIX = re.compile(r"^(written|posted|published|reviewed|authored)?\s*by\s*:?\s+", re.IGNORECASE)
# Health-profession credentials seen in clinic bylines. Anything all-caps after a comma is
# also taken as a credential (see split_credentials), this list catches mixed-case ones.
KNOWN_CREDENTIALS = {
    c.lower()
    for c in (
        "PT DPT MPT MSPT MScPT BScPT BPT BPhty BPhysio OCS SCS NCS GCS PCS WCS CCS FAAOMPT COMT CMPT FCAMPT "
        "MD DO DC DDS DMD RDH RN BSN MSN NP FNP APRN PA PA-C ATC LAT CSCS CPT CES PES OT OTR OTR/L COTA MOT "
        "LMT RMT CMT LAc DAc ND RD RDN LD CDE CDCES MPH MBA MS MSc MA BS BSc BA PhD DPhil EdD PsyD MBBS "
        "MBChB BDS FACS FRCS FRCSC FRCPC FACP FAAP FAAOS FACSM CHT CLT CKTP CIDN DN MCSP HCPC Jr Sr II III"
    ).split()
}
CREDENTIAL_SHAPE = re.compile(r"^[A-Z][A-Za-z]{0,2}(?:[A-Z][A-Za-z]{0,3}){0,3}(?:[-/.][A-Za-z]{1,4})*\.?$")
SUFFIXES = {"jr", "sr", "ii", "iii"}


def is_credential(token: str) -> bool:
    """ "DPT", "PT", "OTR/L", "PA-C", "MScPT" are credentials; "Maria" or "Lopez" are not."""
    token = token.strip().rstrip(".")
    if not token or " " in token:
        return False
    if token.lower() in KNOWN_CREDENTIALS:
        return True
    letters = re.sub(r"[^A-Za-z]", "", token)
    return (
        2 <= len(letters) <= 8
        and sum(ch.isupper() for ch in letters) >= max(2, len(letters) - 2)
        and bool(CREDENTIAL_SHAPE.match(token))
    )


def parse_author(raw: str) -> tuple[str, list[str]] | None:
    """Split "Dr. Maria Lopez, PT, DPT, OCS" into ("Maria Lopez", ["PT", "DPT", "OCS"])."""
    text = clean_line(raw)
    text = BYLINE_PREFIX.sub("", text)
    parts = [p.strip() for p in re.split(r"\s*[,|]\s*", text) if p.strip()]
    if not parts:
        return None
    name_part, *rest = parts
    credentials: list[str] = []
    # "Maria Lopez PT DPT": credentials trailing the name without commas
    words = name_part.split()
    while len(words) > 1 and is_credential(words[-1]) and words[-1].rstrip(".").lower() not in SUFFIXES:
        credentials.insert(0, words.pop())
    for part in rest:
        for token in part.split():
            token = token.strip(" .,;()")
            if token.rstrip(".").lower() in SUFFIXES:
                words.append(token)
            elif is_credential(token):
                credentials.append(token)
    name = HONORIFICS.sub("", " ".join(words)).strip(" ,-")
    if not name or is_credential(name) or not re.search(r"[^\W\d_]", name):
        return None
    return name, _dedupe(credentials)


AUTHOR_SEPARATORS = re.compile(r"\s+(?:and|&)\s+|\s*;\s*", re.IGNORECASE)


def split_authors(raw: str) -> list[str]:
    """One byline with several people ("Jane Doe, DPT and John Smith, DC") into their strings."""
    return [p for p in AUTHOR_SEPARATORS.split(clean_line(raw)) if p.strip()]


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out
