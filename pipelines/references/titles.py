"""Split the words between the authors and the source cluster into title and container.

"Title. Journal" in Vancouver and APA, "Title," Journal, in IEEE and MLA, "Title. In: Editors,
Book" for chapters, "Title, Journal" in astronomy and physics: where the title ends is told by
quotes, by an "In" label, by a sentence end before a run of journal abbreviations, or by a comma
before a journal name; what follows a book's title (editors, edition, place and publisher) is
left out of both fields.
"""

from __future__ import annotations

import re
from itertools import pairwise

from pipelines.references.journals import (
    CONNECTIVES,
    is_journal_word,
    looks_like_abbreviated_journal,
    trailing_journal_start,
)
from pipelines.references.source import BOUNDARY_RE, MONTH, YEAR

# A title in quotes, closed by the quote that opened it ("…", “…”, ‘…’, '…', «…», LaTeX's ``…''),
# so that a quote inside another kind stays in the title ('The "online brain": how ...', 'Title
# of 'X'', ...); any closing quote when the pair is mixed.
QUOTED_TITLE_RE = re.compile(
    r"^(?:“(?P<a>[^”]+?)”|\"(?P<b>[^\"]+?)\"|‘(?P<c>.+?)’|``(?P<f>.+?)''|'(?P<d>.+?)'|«(?P<e>[^»]+?)»)"
    r"(?=[,.:;)]|$|\s+(?![a-z]))"  # (an apostrophe is followed by a word: "50 years' observations")
    r"|^[\"“”«‘'’]\s*(?P<title>.+?)\s*[,.]?\s*[\"”“»’'](?=\s|[,.:;]|$)"
)
IN_CONTAINER_RE = re.compile(r"(?:^|[.,:]\s*)\b[Ii]n\s*:\s*(?=\S)|(?:^|[.,:]\s+)In\s+(?=[A-Z]|\d{4}\s[A-Z])")
EDITORS_RE = re.compile(
    r"^.{0,200}?(?:\b(?:eds?|editors?|Hrsg)\b\.?|\((?:eds?|editors?|Hrsg)\.?\))[,:]?\s+", re.IGNORECASE
)
EDITION_RE = re.compile(r"[\s,.]+\d+(?:st|nd|rd|th)\s+ed(?:ition|n)?\.?$", re.IGNORECASE)
PUBLISHER_TAIL_RE = re.compile(r"(?:^|[.,]\s+)[A-Z][\w .,'’-]{1,40}:\s*[^.:;]{2,80}[;,]?\s*$")
PUBLISHER_WORDS_RE = re.compile(
    r"\b(?:Press|Publishers?|Publishing|Publications|Verlag|Books|Wiley|Springer|Elsevier|Saunders|Mosby|"
    r"Lippincott|Wilkins|Kaufmann|Addison|Sons|Inc|Ltd|GmbH|B\s?\.?\s?V|Co|Academic|University|Organization|"
    r"Routledge|Sage|Taylor|Francis|McGraw|Hill|Karger|Thieme|Blackwell|Oxford|Cambridge)\b\.?"
)
PUBLISHER_COMMA_RE = re.compile(
    r",\s+[A-Z][\w&.' -]{0,40}\b"
    r"(?:Press|Publishers?|Publishing|Verlag|Books|Wiley|Springer|Elsevier|Routledge)\.?$"
)
# A sentence after the journal that only names its publisher: "Appl Soil Ecol. Elsevier B.V.; 2011".
PUBLISHER_NAME_RE = re.compile(r"\b(?:Elsevier|Springer|Wiley|Inc|Ltd|GmbH|B\s?\.?\s?V)\b")
TYPE_TAG_RE = re.compile(
    r"\s*\[(?:Internet|online|Review|serial on the Internet|homepage on the Internet)\]", re.I
)

# A book or proceedings label at the start: "in Proc. IEEE Conf. ...", "in Bose-Einstein Condensation".
IN_START_RE = re.compile(r"(?:[Ii]n:?|[Pp]resented\s+at(?:\s+the)?)\s+(?=[A-Z0-9])")
# What follows a book's title in its sentence: edition, volume, thesis, report, editors,
# translators ("Title, 2nd ed.", ", vol. 1", ", Ph.D. thesis", ", edited by", "; Wiley: New York").
BOOK_TAIL_RE = re.compile(
    r"(?:,\s*|\.\s+|\s+\(|;\s*)(?:\d+(?:st|nd|rd|th)\s+(?:rev\.\s+)?ed(?:ition|n)?\b|vols?\.\s*\d"
    r"|(?:Ph\.?\s?D\.?|M\.?\s?[AS]c?\.|Master'?s|Doctoral|B\.?\s?[AS]c?\.)\s+(?:thesis|dissertation|diss\b)"
    r"|PhD\s+(?:thesis|dissertation|diss\b)|Tech\.?\s+Rep|Technical\s+report|(?:edited|translated)\s+by\b)"
    r"|;\s+(?=[A-Z][^;:]{0,80}:\s*[A-Z])|;\s+(?=[^;]{0,150}\bEds?\.)",
    re.IGNORECASE,
)
# Publication facts in parentheses after a book's title: "(Holt, Rinehart and Winston, New
# York, 1976)", "(2nd ed.; Sausalito, CA: University Science Books)".
FACTS_PAREN_RE = re.compile(r"\s*\((?P<inner>[^()]{3,300})\)")
FACTS_RE = re.compile(rf"{YEAR}|\bed(?:ition|n)?\.|\b(?:Press|Publishers?|Books)\b")
ACRONYM_PAREN_RE = re.compile(r"\([A-Z][A-Za-z0-9&-]{1,15}\)")
# A thesis, report or preprint: what follows its title names an institution, not a container.
TYPE_WORDS_RE = re.compile(
    r"\b(?:thesis|dissertation|diss\.|Tech\.?\s*Rep(?:ort)?\b|Technical\s+Report|white\s+paper)",
    re.IGNORECASE,
)
# A place after a proceedings' name: ", Las Vegas, NV, USA", ", Munich, Germany".
PLACE_CHUNK_RE = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}|[A-Z]{2,3}")
# A comma outside parentheses ("Ann. Phys. (Leipzig)", "(Holt, Rinehart and Winston, 1976)").
COMMA_RE = re.compile(r",\s+(?![^()]{0,200}\))")
# "Reviews of Modern Physics", "Journal of the American Chemical Society": longer is a title.
MAX_JOURNAL_NAME_TOKENS = 8

# patterns used inside functions, compiled once
TRAILING_DATE_RE = re.compile(rf",\s*(?:{MONTH}\s+)?{YEAR}[a-z]?$")
LETTER_WORD_RE = re.compile(r"[^\W\d_]+")
COMMA_ABBREVIATION_RE = re.compile(r",\s+((?:[A-Z][a-z]{0,9}\.\s*){1,3})$")
IN_PREFIX_RE = re.compile(r"^In:?\s+")
SHORT_WORD_DOT_END_RE = re.compile(r"\b\w{1,3}\.$")


def split_title_container(
    region: str,
    expect_container: bool,
    *,
    title_optional: bool = False,
    commas: bool = False,
    book_part: bool = False,
) -> tuple[str | None, str | None]:
    """Split "Title. Journal" (or "Title. In: Eds. Book") into title and container.

    ``title_optional``: the style may leave the title out (ACS, physics, astronomy), so a region
    that is all journal name ("Phys. Rev. B", "J. Am. Chem. Soc.") is the container alone.
    ``commas``: the style separates its fields with commas ("Title, Journal 12, 3 (2019)").
    ``book_part``: pages but no volume follow: a chapter, whose container ends at its editors
    or publisher."""
    region = TYPE_TAG_RE.sub("", region).strip(" ,;:.")
    if not region:
        return None, None
    quoted = QUOTED_TITLE_RE.match(region)
    if quoted:
        title = clean_title(quoted_value(quoted))
        rest = region[quoted.end() :].strip(" ,;:.")
        if TYPE_WORDS_RE.search(rest):
            return title, None
        in_match = IN_CONTAINER_RE.search(rest) or IN_START_RE.match(rest)
        if in_match:
            return title, _book_container(rest[in_match.end() :])
        if book_part:  # MLA: "Container, edited by X, Publisher, 2003, pp. 123-51"
            return title, _chapter_container(rest)
        return title, _clean_container(rest) if rest else None
    in_match = IN_CONTAINER_RE.search(region)
    if in_match and in_match.start() > 0:
        return clean_title(region[: in_match.start()]), _book_container(region[in_match.end() :])
    in_start = IN_START_RE.match(region)
    if in_start and (commas or title_optional):  # "P. Nozières, in Bose-Einstein Condensation, edited by"
        return None, _book_container(region[in_start.end() :])
    if not expect_container:
        title = TRAILING_DATE_RE.sub("", _first_sentence(cut_book_tail(region)).rstrip(". "))
        return clean_title(PUBLISHER_COMMA_RE.sub("", title)), None
    region = _drop_publisher(region)
    if commas:  # "Title, Journal" before "Journal" alone: "The Dusty Universe, ApJ"
        cut = _comma_journal_start(region)
        if cut is not None:
            return clean_title(region[:cut]), _clean_container(region[cut:])
    if title_optional and is_journal_name(region):
        return None, _clean_container(region)
    return _split_at_sentence(region)


def is_journal_name(text: str) -> bool:
    """The whole of ``text`` is a journal's name: abbreviated chunks ("Phys. Rev.", "Angew. Chem.,
    Int.") and then capitalised words ("B", "Lett.", "Reviews of Modern Physics", "ApJ")."""
    chunks = COMMA_RE.split(text)
    if any(not looks_like_abbreviated_journal(c.strip(" .")) for c in chunks[:-1]):
        return False  # "The Dusty Universe, ApJ": a title, then the journal
    starts = [0] + [m.end() for m in BOUNDARY_RE.finditer(text)]
    for a, b in pairwise(starts):
        chunk = text[a:b].rstrip()
        if not (chunk.endswith(".") and looks_like_abbreviated_journal(chunk[:-1])):
            return False
    return _capitalised_name(text[starts[-1] :])


def _capitalised_name(text: str) -> bool:
    """A short run of capitalised words and connectives, no prose: how journal names look."""
    tokens = text.split()
    if not tokens or len(tokens) > MAX_JOURNAL_NAME_TOKENS or has_prose(text):
        return False
    for token in tokens:
        bare = token.strip(".,;:()")
        if not bare or bare.lower() in CONNECTIVES or bare == "&":
            continue
        if not (bare[0].isupper() or any(ch.isupper() for ch in bare[1:3])):  # "eLife", "iScience"
            return False
    return True


def _comma_journal_start(region: str) -> int | None:
    """Where the journal starts in "Title, Journal": after the last comma whose tail is a journal
    name, extended back over abbreviated chunks ("..., Angew. Chem., Int. Ed.")."""
    commas = [m.end() for m in COMMA_RE.finditer(region)]
    cut = None
    for pos in reversed(commas):
        tail = region[pos:]
        if cut is None and not is_journal_name(tail):
            return None
        if cut is not None and not looks_like_abbreviated_journal(region[pos:cut].strip(" ,.")):
            break
        cut = pos
    return cut


def _split_at_sentence(region: str) -> tuple[str | None, str | None]:
    """ "Title. J Biol Chem": the container is the last sentence, and the abbreviated chunks
    before it ("Philos. Trans. R. Soc. B")."""
    starts = [0] + [m.end() for m in BOUNDARY_RE.finditer(region)]
    if len(starts) == 1:
        cut = trailing_journal_start(region)
        if cut is None:
            return clean_title(region), None
        return clean_title(region[:cut]), _clean_container(region[cut:])
    j = len(starts) - 1
    last = region[starts[j] :]
    inner = trailing_journal_start(last) if has_prose(last) else None
    if inner:  # "RhoA. Functional assignment of the motif J Biol Chem": prose joins the title
        cut = starts[j] + inner
        return clean_title(region[:cut]), _clean_container(region[cut:])
    while j > 1:
        previous = region[starts[j - 1] : starts[j]].rstrip()
        if previous.endswith(".") and looks_like_abbreviated_journal(previous[:-1]):
            j -= 1
        else:
            break
    cut = _comma_abbreviation_start(region, starts[j - 1], starts[j])
    return clean_title(region[:cut]), _clean_container(region[cut:])


def has_prose(text: str) -> bool:
    """Lower-case words other than connectives: a sentence, not a journal name."""
    words = [w for w in LETTER_WORD_RE.findall(text) if w[0].islower()]
    return sum(1 for w in words if w not in CONNECTIVES) >= 2


def _drop_publisher(region: str) -> str:
    """ "Place: Publisher" or a publisher sentence after the journal ("Appl Soil Ecol. Elsevier B.V.")."""
    tail = PUBLISHER_TAIL_RE.search(region)
    if tail and PUBLISHER_WORDS_RE.search(tail.group(0)):
        region = region[: tail.start()]
    starts = [m.end() for m in BOUNDARY_RE.finditer(region)]
    if starts:
        last = region[starts[-1] :]
        short = len(last.split()) <= 4 and not has_prose(last)
        if short and PUBLISHER_NAME_RE.search(last):
            region = region[: starts[-1]]
    return region.strip(" ,;:.") or region


def _comma_abbreviation_start(region: str, seg_start: int, cut: int) -> int:
    """ "Title, J. Symbolic Logic": the "J." before the cut belongs to the journal, back to the comma."""
    previous = region[seg_start:cut].rstrip()
    match = COMMA_ABBREVIATION_RE.search(previous)
    if match and all(is_journal_word(t) or len(t.strip(".")) <= 2 for t in match.group(1).split()):
        return seg_start + match.start(1)
    return cut


def _first_sentence(region: str) -> str:
    match = BOUNDARY_RE.search(region)
    return region[: match.start() + 1] if match else region


def _book_container(text: str) -> str | None:
    """ "Kaplan HI, Sadock BJ, eds. Comprehensive Textbook. Baltimore: W&W" -> the book title;
    "Proc. IEEE Conf. Comput. Vis. (CVPR), Las Vegas, NV, USA" -> the proceedings' name."""
    editors = EDITORS_RE.match(text)
    if editors:
        text = text[editors.end() :]
    tail = PUBLISHER_TAIL_RE.search(text)
    if tail and tail.start() > 0:  # "Simians, Cyborgs, and Women: The Reinvention" is the title
        text = text[: tail.start()]
    end = _sentence_end(text)
    if end is not None:
        text = text[:end]
    text = cut_book_tail(EDITION_RE.sub("", text))
    return _clean_container(_drop_place(TRAILING_DATE_RE.sub("", text.rstrip(" .,;"))))


def _chapter_container(text: str) -> str | None:
    """The container of a chapter or a paper in proceedings, before the pages: its first sentence
    (Harvard: "Annual Conference. Liverpool, 3-5 October. London: RCGP"), or in MLA's one
    sentence, all before the editors or the publisher ("The Foucault Reader, edited by Paul
    Rabinow, Pantheon Books"; "Touching Feeling: Affect, Pedagogy, Performativity, Duke UP")."""
    end = _sentence_end(text)
    if end is not None:
        return _clean_container(cut_book_tail(text[:end]))
    tail = BOOK_TAIL_RE.search(text)
    if tail and tail.start() > 0:
        return _clean_container(text[: tail.start()])
    parts = COMMA_RE.split(text)
    return _clean_container(", ".join(parts[:-1]) if len(parts) > 1 else text)


def _sentence_end(text: str) -> int | None:
    """Where the first sentence ends, passing over abbreviations ("Proc. IEEE Conf. Comput.",
    "Comput.-Assist. Intervent. (MICCAI)")."""
    for match in BOUNDARY_RE.finditer(text):
        before = text[: match.start()].split()
        word = before[-1].rsplit("-", 1)[-1] if before else ""
        after = text[match.end() :].split(None, 1)
        following = after[0] if after else ""
        abbreviated = word[:1].isupper() and (is_journal_word(word) or len(word) <= 4)
        abbreviated = abbreviated or following.endswith((".", ".,"))  # a run of abbreviations
        if text[match.start()] == "." and (abbreviated or ACRONYM_PAREN_RE.match(following)):
            continue
        return match.start()
    return None


def _drop_place(text: str) -> str:
    """A proceedings' name without the city, state and country after it."""
    parts = COMMA_RE.split(text)
    keep = len(parts)
    while keep > 1 and _is_place(parts[keep - 1]):
        keep -= 1
    if keep == len(parts) or keep == 0:
        return text
    return ", ".join(parts[:keep])


def _is_place(chunk: str) -> bool:
    """ "Las Vegas", "NV", "USA", "Munich": up to three capitalised words, none a journal word."""
    if not PLACE_CHUNK_RE.fullmatch(chunk.strip(" .")):
        return False
    return not any(is_journal_word(word) for word in chunk.split())


def cut_book_tail(title: str) -> str:
    """A book's title without what follows it in the same sentence (edition, volume, thesis,
    editors, "; Publisher: Place") or its publication facts in parentheses."""
    tail = BOOK_TAIL_RE.search(title)
    if tail and tail.start() > 0:
        title = title[: tail.start()]
    for paren in FACTS_PAREN_RE.finditer(title):
        inner = paren.group("inner")
        if FACTS_RE.search(inner) and any(mark in inner for mark in ",;:"):
            return title[: paren.start()]
    return title


def quoted_title(text: str) -> re.Match[str] | None:
    """A title in quotes at the start of ``text``."""
    return QUOTED_TITLE_RE.match(text)


def quoted_value(match: re.Match[str]) -> str:
    return next(g for g in match.groups() if g is not None)


def clean_title(value: str | None) -> str | None:
    if not value:
        return None
    value = TYPE_TAG_RE.sub("", value).strip()
    value = value.strip(" ,;:")
    if value.endswith(".") and not value.endswith("..."):
        value = value[:-1]
    if len(value) >= 2 and value[0] in "\"“‘'«" and value[-1] in "\"”’'»":
        value = value[1:-1].strip(" ,.")
    return value or None


def _clean_container(value: str | None) -> str | None:
    if not value or not any(ch.isalpha() for ch in value):
        return None  # "2017" left after a quoted title is a date
    value = TYPE_TAG_RE.sub("", value).strip(" ,;:")
    value = IN_PREFIX_RE.sub("", value)
    value = value.rstrip(" ,;:")
    if value.endswith(".") and not SHORT_WORD_DOT_END_RE.search(value) and " " not in value.strip():
        value = value[:-1]
    return value or None
