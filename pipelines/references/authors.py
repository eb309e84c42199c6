"""Find the author list at the start of a reference and normalise each name.

Every name comes out in one form, the Vancouver/NLM one: surname, a space, initials without
periods, then a suffix if any ("Salazar AP", "de Roever WP", "Hogue CW Jr"). It is the natural
form for clinical reference lists and the only one that all the input styles can be turned into
without guessing (APA "Smith, J. A." -> "Smith JA"; MLA "Smith, John A." -> "Smith JA").

The list is read one name at a time with small regexes rather than one big one, so that a long
or hostile string costs linear time and a failed match never backtracks over the whole list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.references.journals import is_journal_word, looks_like_organization

_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x250)) if ch.isupper())
_LOWER = "".join(ch for ch in map(chr, range(0x61, 0x250)) if ch.islower() and ch not in "ªº")
U = f"[{_UPPER}]"
LO = f"[{_LOWER}]"
L = f"[{_UPPER}{_LOWER}'’`]"
NOT_LETTER = f"(?![{_UPPER}{_LOWER}])"

PARTICLE = (
    r"(?:van|vander|vanden|von|der|den|de|del|della|dei|di|da|du|dos|das|do|le|la|ten|ter|te|zu|"
    r"bin|ibn|al|el|d'|l')"
)
NOT_LO = f"[{_UPPER}'’`]"  # a letter of L that is not lower-case
# A surname word has a lower-case letter somewhere, which tells it apart from initials ("AP").
# Written so that each word matches in one way only (up to its first lower-case letter, then
# the rest): "L*{LO}L*" could split a word at each of its lower-case letters, and a failed
# list of hyphenated names tried every split of every part (exponential). Same strings match.
SURWORD = rf"{U}{NOT_LO}*{LO}{L}*(?:-\s?{NOT_LO}*{LO}{L}*)*"
# At most three words: "Sinninghe Damsté", "Van Den Berg"; more is a title, not a surname.
SURNAME = rf"(?:{PARTICLE}\s+|{PARTICLE}(?={U}))*{SURWORD}(?:\s+(?:{PARTICLE}\s+)*{SURWORD}){{0,2}}"
SURNAME_ONE = rf"(?:{PARTICLE}\s+)*{SURWORD}"
SURNAME_TWO = rf"(?:{PARTICLE}\s+)*{SURWORD}(?:\s+{SURWORD})?"
# All-capitals surnames ("KIM, C. F.", "MOALEM-TAYLOR, G.") only where a comma and initials follow.
SURNAME_CAPS = rf"(?:{PARTICLE}\s+)*{U}{{2,}}(?:[-'’]\s?{U}{{2,}})*(?:\s{U}{{2,}}(?:-{U}{{2,}})*)?"
SUFFIX = r"(?:Jr|Sr|II|III|IV|2nd|3rd|4th)\.?(?!\s*ed(?:ition|n)?\b)"  # (not "3rd ed.")
INITIALS_PACKED = rf"{U}{{1,4}}(?:-{U}{{1,2}})?(?:III|II|IV|Jr)?|{U}(?:\s{U}(?![{_UPPER}{_LOWER}])){{1,2}}"
INITIALS_DOTTED = rf"{U}\.(?:\s?-?\s?{U}\.){{0,3}}"
# After a comma ("Smith, J. A."): an initial without its period is packed ("SC") or ends the name
# ("Smith, J A,"); "Krieg, H. A Consistent ..." is "Krieg H" and a title starting with "A".
INITIAL_INVERTED = rf"{U}(?:\.|(?={U})|(?!\s+{L}))"
GIVEN_WORD = rf"{U}{LO}+(?:-{U}?{LO}+)?"
# Capitalised particles start a surname, never a given name: "J. Van Den Berg", "M. De Vos".
NOT_PARTICLE = r"(?!(?:Van|Von|Vander|De|Der|Den|Del|Della|Di|Da|Du|Dos|Le|La|Ten|Ter)\b)"
# Words that start titles, never given names: "The Godel Programming Language", "A Note on ..."
TITLE_START = (
    r"(?!(?:The|A|An|On|In|Of|For|And|To|With|From|Towards?|Using|Is|Are|How|What|Why|When|Where|"
    r"New|Effects?|Role|Use|Introduction|Analysis|Design|Computer|Parallel|Proceedings|Report)\b)"
)

# name forms, tried in this order for the first name of a list
NAME_FORMS: dict[str, re.Pattern[str]] = {
    # Vancouver / NLM: "Salazar AP", "Sinninghe Damsté JS", "Plunkett G 3rd", "Harrison R.M."
    "vancouver": re.compile(
        rf"(?P<sur>{SURNAME})\s+(?P<ini>{INITIALS_DOTTED}|{INITIALS_PACKED}){NOT_LETTER}"
        rf"(?:\s+(?P<suf>{SUFFIX}))?\.?"
    ),
    # APA / Harvard: "Smith, J. A.", "Heinrichs, SC.", "Aguilera, R.F.", "Smith, J., Jr."
    "inverted": re.compile(
        rf"(?P<sur>{SURNAME}|{SURNAME_CAPS})\s?,\s*(?P<ini>{INITIAL_INVERTED}(?:\s?-?\s?{INITIAL_INVERTED}){{0,3}})"
        rf"{NOT_LETTER}"
        rf"(?:,?\s+(?P<suf>{SUFFIX}))?"
    ),
    # initials first: "A. Cau", "W.-P. de Roever", "J.M. Wing", "J. J Koenderink"
    "initials_first": re.compile(
        rf"(?P<given>{U}\.(?:\s?-?\s?{U}\.?){{0,3}}(?:\s+{NOT_PARTICLE}{GIVEN_WORD}(?=\s+{U}))?)\s?(?P<sur>{SURNAME})"
        rf"{NOT_LETTER}(?!\s*:)"
    ),
    # given names first: "Noni E. MacDonald", "Peter Trudgill"
    "given_first": re.compile(
        rf"{TITLE_START}(?P<given>{GIVEN_WORD}(?:\s+(?:{U}\.|{U}(?=\s)|{GIVEN_WORD})){{0,2}})\s+(?P<sur>{SURNAME_ONE})"
        rf"{NOT_LETTER}(?:,?\s+(?P<suf>{SUFFIX}))?(?!\s*:)"
    ),
    # MLA / Chicago first author: "Hammett, Daniel", "Pate, C. Marvin", "Smith, John A."
    "inverted_full": re.compile(
        rf"(?P<sur>{SURNAME_TWO}),\s+(?P<given>(?:{U}\.\s?)?{GIVEN_WORD}(?:\s+(?:{U}\.|{U}(?=[\s,])|{GIVEN_WORD})){{0,2}})"
        rf"{NOT_LETTER}(?:,?\s+(?P<suf>{SUFFIX}))?"
    ),
    # later names only: "V Harinarayan" in "A. Gupta, V Harinarayan, D. Quass"
    "initial_loose": re.compile(rf"(?P<given>{U})\s(?P<sur>{SURNAME_ONE}){NOT_LETTER}(?!\s*:)"),
}
# Which forms may follow the first one in the same list.
NEXT_FORMS = {
    "vancouver": ("vancouver",),
    "inverted": ("inverted", "initials_first", "given_first"),
    "inverted_full": ("given_first", "initials_first", "inverted_full"),
    "initials_first": ("initials_first", "given_first", "initial_loose"),
    "given_first": ("given_first", "initials_first", "initial_loose"),
}
# Forms that, after a first name in another form, make the list "mixed".
MIXING_FORMS = {"initials_first": ("given_first",), "inverted": ("given_first",)}
FIRST_FORMS = ("vancouver", "inverted", "initials_first", "given_first", "inverted_full")
SEPARATOR_RE = re.compile(
    r"\s*[,;]+\s*(?:(?:and|&|und|y)\s+|&\s*)?(?:(?:\.\.\.|…)\s*,?\s*)?|\s+(?:and|&|und|y)\s+|\s*&\s*"
    r"|\s*(?:\.\.\.|…)\s*,?\s*"
)
ET_AL_RE = re.compile(r"\s*[,;]?\s*(?:\bet\.?\s*al\b\.?|\band\s+others\b|(?:\.\.\.|…))", re.IGNORECASE)
# What may follow a complete author list: sentence end, colon, a date, or a quoted title.
TERMINATOR_RE = re.compile(
    r"\s*(?:[.:;]\s|[.:;]?$)|\s*[.,]?\s*\(?\s*(?:1[5-9]|20)\d\d[a-z]?\b|\s*[.,:]?\s*[\"“”«‘']|\s*\(n\.\s?d\.\)",
    re.IGNORECASE,
)
# A looser end for lists that run into the title with a comma ("R. R. Henry, Integrating ...").
COMMA_TERMINATOR_RE = re.compile(r",\s+\S")
FIRST_SEGMENT_RE = re.compile(r"^(?P<seg>[^.:;(]{2,120}?)(?:\.\s|:\s|\s\(\d{4})")
# Forms whose first name is too easily confused with the first words of a title: the list must
# then end with a hard terminator, not a comma.
WEAK_FIRST_FORMS = ("given_first", "inverted_full")
MAX_AUTHORS = 200
# A Vancouver list with a typo in one name ("Hocher B, Thone-Reineke, Rohmeiss P") is still an
# author list when at least this share of its comma-separated parts are clean names.
MIN_LENIENT_NAME_SHARE = 2 / 3
MIN_LENIENT_PARTS = 3
LENIENT_END_RE = re.compile(r"[.:]\s+(?=[\"“‘'(\[]?[A-Z0-9])")
LENIENT_SPLIT_RE = re.compile(r"\s*[,;]+\s*(?:and\s+|&\s*)?|\s+(?:and|&)\s+")


# NLM puts a group author after the personal names, behind a semicolon ("Qaseem A, Wilt TJ;
# Clinical Guidelines Committee of the American College of Physicians."): PubMed lists it as
# an author, so do we. It must name a group, so that a title after a semicolon stays a title.
GROUP_AUTHOR_RE = re.compile(r"\s*;\s*(?P<group>[^.;:]{3,160}?)\s*\.(?=\s|$)")
GROUP_WORDS_RE = re.compile(
    r"\b(?:group|committee|collaborat\w*|consortium|investigators|workshop|working|trial|network|"
    r"society|association|panel|task force|writing|council|team|authors)\b",
    re.IGNORECASE,
)
MAX_GROUP_WORDS = 16
# A group named before the personal names, as AAS journals print it: "Planck Collaboration, Aghanim, N."
LEADING_GROUP_RE = re.compile(r"(?P<group>[^,.;:()\[\]\d]{3,80}?),\s+(?=\S)")
PARENTHESISED_GROUP_RE = re.compile(r"\s*\((?P<group>[^()]{3,120})\)")
EDITORS_LABEL_RE = re.compile(r"\s*,?\s*(?:\((?:eds?|editors?)\.?\)|(?:eds?\.|editors?)(?=[\s.,:;]|$))", re.I)
# Harvard and APA print a group author before the date: "The King's Fund (2021)", "NHS (2022)".
ORGANIZATION_BEFORE_DATE_RE = re.compile(
    rf"(?P<org>(?:The\s+)?{U}[\w'’&.-]{{0,30}}(?:\s+(?:{U}[\w'’&.-]{{0,30}}|of|and|for|the|&)){{0,8}})"
    r"\s*\((?:1[6-9]\d\d|20\d\d|n\.\s?d\.)"
)


# patterns used inside functions, compiled once
YEAR_AFTER_SPACE_RE = re.compile(r"\s+(?:1[5-9]|20)\d\d\b")
AND_RE = re.compile(r"\b(?:and|und|y)\b|&")
# The last initial of a run, when the run has two or more: " J." of "J. C. J."
JOURNAL_INITIAL_RE = re.compile(rf"\s?\b{U}\.$")
# An abbreviated word after a name: " Org." after "Martin, J. C. J", ". Phys." after "J. Chem"
ABBREVIATED_WORD_RE = re.compile(rf"\.?\s+(?P<word>{U}{LO}{{1,12}})\.\s")
FOLLOWING_ABBREVIATION_RE = re.compile(rf"\.\s+(?P<word>{U}{LO}{{1,12}})\.?\s")
INITIAL_WORD_RE = re.compile(rf"{U}[{_LOWER}]*")
HYPHEN_SPACE_RE = re.compile(r"-\s+")
PACKED_SUFFIX_RE = re.compile(rf"^({U}{{1,4}}?)(III|II|IV)$")


@dataclass(slots=True)
class AuthorBlock:
    """The names found, where the block ends in the text, and which form they were written in."""

    names: list[str]
    end: int
    form: str | None  # a NAME_FORMS key, "organization", or None when no authors were found
    et_al: bool = False
    hard: bool = True  # ended by a period, colon, date or quote (not just a comma)


def initials_of(given: str) -> str:
    """ "John A." -> "JA", "W.-P." -> "WP", "C. Marvin" -> "CM"."""
    return "".join(part[0] for part in INITIAL_WORD_RE.findall(given))


def _normalise(match: re.Match[str], form: str) -> str:
    groups = match.groupdict()
    surname = HYPHEN_SPACE_RE.sub("-", groups["sur"]).strip()
    if form in ("vancouver", "inverted"):
        initials = groups["ini"].replace(".", "").replace(" ", "")
        initials = (
            initials if "-" in initials.strip("-") and form == "vancouver" else initials.replace("-", "")
        )
    else:
        initials = initials_of(groups["given"])
    suffix = (groups.get("suf") or "").rstrip(".")
    # "LJIII": a generation suffix packed onto the initials
    packed = PACKED_SUFFIX_RE.match(initials)
    if packed and not suffix:
        initials, suffix = packed.group(1), packed.group(2)
    return " ".join(part for part in (surname, initials, suffix) if part)


def _scan(text: str, first_form: str) -> AuthorBlock | None:
    """Read names of one family of forms from the start; None unless the list ends cleanly."""
    found = _name_at(text, 0, (first_form,))
    if not found:
        return None
    names = [_normalise(found[1], first_form)]
    pos = found[1].end()
    ends = [(pos, len(names), False)]
    allowed = NEXT_FORMS[first_form]
    last = False  # the name after "and" / "&" ends the list
    mixed = False  # a name in another form than the first ("J. Smith, Noni E. MacDonald")
    while len(names) < MAX_AUTHORS and not last:
        sep = SEPARATOR_RE.match(text, pos)
        if not sep:
            break
        found = _name_at(text, sep.end(), allowed)
        if found is None or _is_journal_abbreviation(text, found[1], sep.group(0)):
            break
        names.append(_normalise(found[1], found[0]))
        pos = found[1].end()
        mixed = mixed or found[0] in MIXING_FORMS.get(first_form, ())
        ends.append((pos, len(names), mixed))
        last = bool(AND_RE.search(sep.group(0)))
    for end, count, mixed_here in reversed(ends):
        block = _finish(text, end, names[:count], first_form)
        # a list that changes form and then runs on with a comma is a title: "S. Haykin,
        # Neural Networks and Learning Machines, 3rd ed."
        if block and not (mixed_here and not block.hard):
            return block
    return None


def _name_at(text: str, pos: int, forms: tuple[str, ...]) -> tuple[str, re.Match[str]] | None:
    """The first of ``forms`` that reads a name at ``pos``, with its form. Initials that run into
    an abbreviated journal ("Martin, J. C. J. Org. Chem.") give the journal its first letter back
    when that letter abbreviates a journal word itself (J, Z, Q)."""
    for form in forms:
        match = NAME_FORMS[form].match(text, pos)
        if match:
            break
    else:
        return None
    if "ini" in match.re.groupindex and match.group("ini"):
        inner = JOURNAL_INITIAL_RE.search(match.group("ini"))
        after = ABBREVIATED_WORD_RE.match(text, match.end())
        initial = inner.group(0).strip(" .") if inner else ""
        if inner and after and is_journal_word(initial) and is_journal_word(after.group("word")):
            shorter = NAME_FORMS[form].match(text, pos, match.start("ini") + inner.start())
            match = shorter or match
    return form, match


def _is_journal_abbreviation(text: str, match: re.Match[str], separator: str) -> bool:
    """ "S. Nosé, J. Chem. Phys. 81": after a plain comma, "J. Chem." followed by another
    abbreviation is the journal, not an author (a last author comes after "and")."""
    if AND_RE.search(separator) or "sur" not in match.re.groupindex:
        return False
    after = FOLLOWING_ABBREVIATION_RE.match(text, match.end())
    return bool(after and is_journal_word(match.group("sur")) and is_journal_word(after.group("word")))


def _finish(text: str, end: int, names: list[str], form: str) -> AuthorBlock | None:
    et_al = ET_AL_RE.match(text, end)
    if et_al:
        end = et_al.end()
    end = _after_labels(text, end)
    hard = bool(TERMINATOR_RE.match(text, end)) or (
        text[end - 1 : end] == "." and text[end : end + 1].isspace()
    )
    undotted = text[end - 1 : end] != "."
    if form in WEAK_FIRST_FORMS and not et_al and undotted and YEAR_AFTER_SPACE_RE.match(text, end):
        return None  # "Rossi, G. Biochemistry 1989, 28": a journal and its year, not a given name
    if hard:
        return AuthorBlock(names, end, form, bool(et_al), hard=True)
    if form != "vancouver" and COMMA_TERMINATOR_RE.match(text, end):
        return AuthorBlock(names, end, form, bool(et_al), hard=False)
    return None


def _after_labels(text: str, end: int) -> int:
    """Past what may follow the names inside the block: an editors label ("(eds.)", ", editors")
    and a collaboration in parentheses ("B. P. Abbott et al. (LIGO Scientific Collaboration)")."""
    label = EDITORS_LABEL_RE.match(text, end)
    if label:
        return label.end()
    group = PARENTHESISED_GROUP_RE.match(text, end)
    if group and GROUP_WORDS_RE.search(group.group("group")):
        return group.end()
    return end


def parse_author_block(text: str) -> AuthorBlock:
    """The author list at the start of ``text`` (a reference with identifiers removed)."""
    lead = LEADING_GROUP_RE.match(text)
    if lead and GROUP_WORDS_RE.search(lead.group("group")) and looks_like_organization(lead.group("group")):
        block = _personal_names(text[lead.end() :])
        if block is not None and block.form != "vancouver":  # "Gaia Collaboration, Brown, A. G. A., ..."
            names = [lead.group("group").strip(), *block.names]
            return AuthorBlock(names, lead.end() + block.end, block.form, block.et_al, block.hard)
    block = _personal_names(text)
    first = FIRST_SEGMENT_RE.match(text)
    # "World Health Organization." reads as a given-first name too: an org word decides.
    if block and not (block.form in WEAK_FIRST_FORMS and len(block.names) == 1):
        return _with_group(text, block)
    if first and looks_like_organization(ET_AL_RE.sub("", first.group("seg"))):
        seg = ET_AL_RE.sub("", first.group("seg")).strip()
        return AuthorBlock([seg], first.start("seg") + len(first.group("seg")), "organization")
    dated = ORGANIZATION_BEFORE_DATE_RE.match(text)
    if dated and (block is None or block.form in WEAK_FIRST_FORMS):  # "The King's Fund (2021)"
        return AuthorBlock([dated.group("org")], dated.end("org"), "organization")
    return block or AuthorBlock([], 0, None)


def _personal_names(text: str) -> AuthorBlock | None:
    """The longest list of personal names at the start, in whichever form reads furthest."""
    best: AuthorBlock | None = None
    for form in FIRST_FORMS:  # on a tie the earlier form wins
        block = _scan(text, form)
        if block is None or (form in WEAK_FIRST_FORMS and not block.hard):
            continue
        if best is None or block.end > best.end:
            best = block
            # A Vancouver list of several names is unambiguous; a single "Noni E." is not.
            if form == "vancouver" and len(block.names) > 1:
                break
    if best is None or (best.form != "vancouver" and len(best.names) < MIN_LENIENT_PARTS):
        lenient = _lenient_vancouver(text)
        if lenient and (best is None or lenient.end > best.end):
            return lenient
    return best


def _lenient_vancouver(text: str) -> AuthorBlock | None:
    """The first sentence as a Vancouver list that has a malformed name or two in it."""
    end = LENIENT_END_RE.search(text, 0, 3000)
    if not end:
        return None
    segment = ET_AL_RE.sub("", text[: end.start()]).strip(" ,")
    parts = [p.strip() for p in LENIENT_SPLIT_RE.split(segment) if p.strip()]
    if len(parts) < MIN_LENIENT_PARTS:
        return None
    matches = [NAME_FORMS["vancouver"].fullmatch(p) for p in parts]
    if not matches[0] or sum(1 for m in matches if m) < MIN_LENIENT_NAME_SHARE * len(parts):
        return None
    if any(not m and (len(p.split()) > 3 or not p[0].isupper()) for p, m in zip(parts, matches, strict=True)):
        return None
    names = [_normalise(m, "vancouver") if m else p.rstrip(".") for p, m in zip(parts, matches, strict=True)]
    return AuthorBlock(names, end.start() + 1, "vancouver")


def _with_group(text: str, block: AuthorBlock) -> AuthorBlock:
    """A Vancouver list followed by "; Some Study Group." takes the group as its last author."""
    if block.form != "vancouver":
        return block
    group = GROUP_AUTHOR_RE.match(text, block.end)
    if not group or len(group.group("group").split()) > MAX_GROUP_WORDS:
        return block
    if not GROUP_WORDS_RE.search(group.group("group")):
        return block
    block.names.append(group.group("group").strip())
    block.end = group.end()
    return block
