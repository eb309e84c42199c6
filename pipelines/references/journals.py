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


# --- full names and their ISO 4 / NLM abbreviations ------------------------------------------

# Dropped from titles by ISO 4 (articles, conjunctions, prepositions) before comparing.
TITLE_STOPWORDS = frozenset(
    {"the", "of", "and", "&", "for", "in", "on", "a", "an", "de", "la", "der", "und", "y"}
)
# An unknown abbreviation with a missing middle ("Natl" for National) is still taken for its word
# when it is at least this long and its letters appear in order; shorter ones must be prefixes.
MIN_CONTRACTION_LEN = 3
WORD_RE = re.compile(r"[^\W\d_]+|\d+")


def _load_table(name: str) -> dict[str, str]:
    table = {}
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("\t")
            table[key.strip().lower()] = value.strip()
    return table


ABBREVIATIONS = _load_table("journal_abbreviations.tsv")
ABBREVIATION_STEMS = sorted(
    ((k[:-1], v) for k, v in ABBREVIATIONS.items() if k.endswith("-")), key=lambda kv: -len(kv[0])
)
ALIASES = {" ".join(WORD_RE.findall(k.lower())): v for k, v in _load_table("journal_aliases.tsv").items()}


def abbreviate_word(word: str) -> str:
    """One title word in its ISO 4 form ("Rehabilitation" -> "Rehabil"); unlisted words stay whole."""
    low = word.lower()
    if low in ABBREVIATIONS:
        return ABBREVIATIONS[low]
    for stem, abbreviation in ABBREVIATION_STEMS:
        if low.startswith(stem):
            return abbreviation
    return word


def abbreviate(title: str) -> str:
    """A full journal title in NLM style: "Journal of Back and Musculoskeletal Rehabilitation" ->
    "J Back Musculoskelet Rehabil". A one-word title stays whole, as ISO 4 says."""
    words = [w for w in WORD_RE.findall(title) if w.lower() not in TITLE_STOPWORDS]
    if len(words) == 1:
        return words[0]
    return " ".join(abbreviate_word(w) for w in words)


def _spelling(word: str) -> str:
    """British and American spellings compare equal ("orthopaedic" / "orthopedic")."""
    return word.lower().replace("ae", "e").replace("oe", "e")


def journal_tokens(name: str) -> list[str]:
    """Lower-case abbreviated words of a journal name, for comparison."""
    return [_spelling(w) for w in abbreviate(name).split()]


def _abbreviates(short: str, long: str) -> bool:
    """ "ther" for "therapy" (truncation) or "natl" for "national" (contraction)."""
    if long.startswith(short):
        return True
    if len(short) < MIN_CONTRACTION_LEN or short[0] != long[0]:
        return False
    rest = iter(long)
    return all(ch in rest for ch in short)


def _tokens_match(a: list[str], b: list[str]) -> bool:
    if len(a) != len(b):
        return False
    return all(x == y or _abbreviates(x, y) or _abbreviates(y, x) for x, y in zip(a, b, strict=True))


def _alias_forms(name: str) -> list[str]:
    key = " ".join(w for w in WORD_RE.findall(name.lower()) if w != "the")
    full = ALIASES.get(key)
    return [name, full] if full else [name]


def same_journal(a: str | None, b: str | None) -> bool:
    """Whether two names denote one journal, whatever mix of full title, ISO 4 abbreviation and
    acronym they are written in ("Journal of Orthopaedic & Sports Physical Therapy" = "J Orthop
    Sports Phys Ther" = "JOSPT"). A journal-family acronym matches its family: "JAMA" = "JAMA
    Intern Med", as bloggers write it."""
    if not a or not b:
        return False
    for x in _alias_forms(a):
        for y in _alias_forms(b):
            tx, ty = journal_tokens(x), journal_tokens(y)
            if tx and ty and (tx == ty or _tokens_match(tx, ty)):
                return True
    first_a, first_b = WORD_RE.findall(a), WORD_RE.findall(b)
    for short, other in ((first_a, first_b), (first_b, first_a)):
        if len(short) == 1 and short[0].isupper() and len(short[0]) >= 3 and other and other[0] == short[0]:
            return True
    return False


def is_known_alias(name: str) -> bool:
    """An acronym or short name of a journal from the alias table ("BMJ", "the Lancet" is not one)."""
    return len(_alias_forms(name)) > 1


def journal_key(name: str) -> str:
    """One key per journal, whatever form the name is written in: full title, NLM or dotted ISO
    abbreviation, or a listed acronym ("The New England Journal of Medicine", "N Engl J Med",
    "N. Engl. J. Med." and "NEJM" share "n engl j med"). For grouping; ``same_journal`` also
    accepts truncated abbreviations, which a key cannot."""
    forms = _alias_forms(name)
    return " ".join(journal_tokens(forms[-1])) or name.casefold().strip()
