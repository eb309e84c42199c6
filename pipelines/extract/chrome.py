"""Page chrome that survives extraction: lines made only of widget phrases ("Text Us",
"Book Now"), skip links, cookie notices, and promotions of other posts ("Related: Five
stretches for sciatica"). Only whole lines go; the same words inside a real sentence stay
("If pain persists, book now with a physiotherapist" is content).
"""

from __future__ import annotations

import re

DEFAULT_CHROME_PHRASES: tuple[str, ...] = (
    "skip to content",
    "skip to main content",
    "skip to navigation",
    "skip to footer",
    "text us",
    "text us now",
    "call now",
    "call us",
    "call us now",
    "call today",
    "book now",
    "book online",
    "book online now",
    "book an appointment",
    "book appointment",
    "book your appointment",
    "request an appointment",
    "request appointment",
    "schedule an appointment",
    "schedule now",
    "let's chat",
    "chat with us",
    "chat now",
    "log in",
    "sign in",
    "sign up",
    "subscribe",
    "accept",
    "accept all",
    "accept cookies",
    "decline",
    "reject all",
    "share this",
    "share",
    "tweet",
    "facebook",
    "twitter",
    "linkedin",
    "pinterest",
    "email",
    "print",
    "related posts",
    "related articles",
    "you may also like",
    "recent posts",
    "leave a reply",
    "leave a comment",
    "read more",
    "back to top",
    "previous post",
    "next post",
    "menu",
    "close",
    "comments",
    "don't miss",
)
DEFAULT_CHROME_MARKERS: tuple[str, ...] = (
    "we use cookies",
    "this website uses cookies",
    "this site uses cookies",
    "cookie policy",
    "subscribe to our newsletter",
    "sign up for our newsletter",
    "all rights reserved",
)
# Cookie notices and newsletter blurbs are a sentence or two; a longer paragraph that
# mentions cookies is probably an article about them.
DEFAULT_MARKER_MAX_WORDS = 40
# A label, a colon (or | » >) and the headline of another post: "Read more: ...", "[Related: ...]".
DEFAULT_CHROME_LEADINS: tuple[str, ...] = (
    "related",
    "related post",
    "related posts",
    "related article",
    "related articles",
    "related story",
    "related stories",
    "related reading",
    "related content",
    "read more",
    "read also",
    "also read",
    "read next",
    "see also",
    "see more",
    "you may also like",
    "you might also like",
    "leggi anche",
    "lire aussi",
    "lesen sie auch",
    "leia também",
    "lea también",
)
# A headline is a line, not a paragraph: longer lines after such a label stay.
DEFAULT_LEADIN_MAX_WORDS = 25

PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
NOISE = re.compile(r"[\W_]+")  # punctuation, separators, emoji, arrows
WORD_RUN = re.compile(r"\w+")


def _key(line: str) -> str:
    return " ".join(line.lower().replace("’", "'").split())


def _alternation(phrases: tuple[str, ...] | list[str]) -> str:
    """Longest first, so "book online now" wins over "book online"; never matches when empty."""
    ordered = sorted({_key(p) for p in phrases if p.strip()}, key=len, reverse=True)
    return "|".join(re.escape(p) for p in ordered) or r"(?!x)x"


class ChromeFilter:
    """Drops lines that are only chrome phrases (plus phone numbers and punctuation)."""

    def __init__(
        self,
        phrases: tuple[str, ...] | list[str] = DEFAULT_CHROME_PHRASES,
        markers: tuple[str, ...] | list[str] = DEFAULT_CHROME_MARKERS,
        marker_max_words: int = DEFAULT_MARKER_MAX_WORDS,
        leadins: tuple[str, ...] | list[str] = DEFAULT_CHROME_LEADINS,
        leadin_max_words: int = DEFAULT_LEADIN_MAX_WORDS,
    ) -> None:
        self._phrases = re.compile(rf"(?<!\w)(?:{_alternation(phrases)})(?!\w)")
        # Every word (\w run) the phrases are made of: a line with any other word left after the
        # phone numbers go is not made of phrases, whatever the (slow) phrase pattern would say.
        # (Words split at "_" as well, on both sides: NOISE deletes underscores.)
        self._phrase_words = frozenset(WORD_RUN.findall(" ".join(_key(p) for p in phrases).replace("_", " ")))
        self._markers = tuple(_key(m) for m in markers if m.strip())
        self._marker_max_words = marker_max_words
        self._leadins = re.compile(rf"^\W*(?:{_alternation(leadins)})\s*[:|»>]\s*\S")
        self._leadin_max_words = leadin_max_words

    def is_chrome(self, line: str) -> bool:
        key = _key(line)
        if not key:
            return True
        if len(key) <= 200 and self._only_phrases(PHONE.sub(" ", key)):
            return True
        if any(m in key for m in self._markers):
            return len(key.split()) <= self._marker_max_words
        return bool(self._leadins.match(key)) and len(key.split()) <= self._leadin_max_words

    def _only_phrases(self, text: str) -> bool:
        """Nothing but chrome phrases, punctuation and separators in ``text``."""
        if any(word not in self._phrase_words for word in WORD_RUN.findall(text.replace("_", " "))):
            return False
        return not NOISE.sub("", self._phrases.sub(" ", text))

    def clean(self, lines: list[str]) -> list[str]:
        return [line for line in lines if not self.is_chrome(line)]
