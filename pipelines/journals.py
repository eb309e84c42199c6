"""What journal names and organisation names look like, for splitting title from container.

A Vancouver reference gives no marker between the article title and an abbreviated journal
("... eukaryote origin. Philos. Trans. R. Soc. B Biol. Sci. 370:..."): the periods inside the
journal look like sentence ends. Knowing the vocabulary of journal titles decides it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

DATA_DIR = Path(__file__).with_name("data")

# Longest abbreviated-journal chunk between two periods ("B Biol", "Heart Circ"): longer
# chunks are sentences of the title, not pieces of a journal name.
MAX_ABBREV_SEGMENT_TOKENS = 3
# An unknown capitalised token up to this length still passes as an abbreviation ("Evol",
# "Soc", "Lond"); longer unknown words ("Framingham") mean the chunk is prose.
MAX_UNKNOWN_ABBREV_LEN = 5
# A journal run into the title is at most this many words
# ("Journal of Clinical Endocrinology and Metabolism").
MAX_TRAILING_JOURNAL_TOKENS = 8
CONNECTIVES = frozenset(
    {"of", "and", "&", "the", "de", "des", "der", "für", "fur", "in", "on", "for", "y", "la"}
)
ORG_WORDS = frozenset(
    """academy administration agency alliance association board bureau centers centre centres
    center clinic college commission committee consortium council department federation
    foundation group institute institutes institution ministry network nhs office organisation
    organization program programme service services society trust union collaboration
    collaborators collaborative authority government survey""".split()
)
TOKEN_RE = re.compile(r"[^\s]+")


def _load_words(name: str) -> frozenset[str]:
    path = DATA_DIR / name
    words = (line.strip().rstrip(".").lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


JOURNAL_WORDS = _load_words("journal_words.txt")


def is_journal_word(token: str) -> bool:
    """A word that typically appears (abbreviated) in journal titles."""
    return token.strip(".,;:").lower() in JOURNAL_WORDS


def looks_like_abbreviated_journal(segment: str) -> bool:
    """A short period-delimited chunk made of journal-title abbreviations ("Trans", "R Soc")."""
    tokens = segment.split()
    if not tokens or len(tokens) > MAX_ABBREV_SEGMENT_TOKENS:
        return False
    for token in tokens:
        bare = token.strip(".,;:()")
        if not bare:
            return False
        if bare.lower() in CONNECTIVES or is_journal_word(bare):
            continue
        if not bare[0].isupper():
            return False
        if len(bare) > MAX_UNKNOWN_ABBREV_LEN and not bare.isupper():
            return False
    return True


def trailing_journal_start(text: str) -> int | None:
    """Where a journal name run into the end of the title starts ("... gradient Mar Ecol Prog Ser").

    Vancouver titles are in sentence case, so a final run of capitalised words after a
    lower-case word is the journal. Capitalised acronyms at the start of the run that are not
    journal words ("... stroke in AF Bandolier") stay with the title.
    """
    tokens = [m for m in TOKEN_RE.finditer(text)]
    count = 0
    for token in reversed(tokens):
        word = token.group(0).strip(",;:")
        if word and (
            (word[0].isupper() and not any(c.isdigit() for c in word))
            or (count and word.lower() in CONNECTIVES)
        ):
            count += 1
            continue
        break
    if count > MAX_TRAILING_JOURNAL_TOKENS and count < len(tokens):
        return _journal_word_run(tokens)  # a Title Case title: only known journal words decide
    if count == 0 or count == len(tokens):
        return None
    run = tokens[len(tokens) - count :]
    while run and (
        run[0].group(0).lower() in CONNECTIVES
        or (run[0].group(0).isupper() and not is_journal_word(run[0].group(0)))
    ):
        run = run[1:]
    if not run:
        return None
    return run[0].start()


def _journal_word_run(tokens: list[re.Match[str]]) -> int | None:
    """Start of the final run of known journal words ("... Minus-Strand DNA J Virol" -> "J")."""
    count = 0
    for token in reversed(tokens):
        if is_journal_word(token.group(0)) and token.group(0)[0].isupper():
            count += 1
        else:
            break
    if count == 0 or count == len(tokens):
        return None
    return tokens[len(tokens) - count].start()


def looks_like_organization(segment: str) -> bool:
    """A corporate name ("Centers for Disease Control and Prevention", "GTEx Consortium")."""
    tokens = segment.replace(",", " ").split()
    if not tokens or len(tokens) > 12:
        return False
    has_org_word = False
    for token in tokens:
        bare = token.strip(".()&'’")
        if not bare:
            continue
        low = bare.lower()
        if low in CONNECTIVES:
            continue
        if not (bare[0].isupper() or bare[0].isdigit()):
            return False
        has_org_word = has_org_word or low in ORG_WORDS
    return has_org_word or (len(tokens) == 1 and tokens[0].isupper() and 2 <= len(tokens[0]) <= 8)


def site_name_from_url(url: str) -> str | None:
    """The site's host name without "www." ("cdc.gov"), as the container of a bare link."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host
