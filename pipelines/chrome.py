"""Page chrome that survives extraction: lines made only of widget phrases ("Text Us",
"Book Now"), skip links and cookie notices. Only whole lines go; the same words inside a
real sentence stay ("If pain persists, book now with a physiotherapist" is content).
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

PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
NOISE = re.compile(r"[\W_]+")  # punctuation, separators, emoji, arrows


def _key(line: str) -> str:
    return " ".join(line.lower().replace("’", "'").split())


class ChromeFilter:
    """Drops lines that are only chrome phrases (plus phone numbers and punctuation)."""

    def __init__(
        self,
        phrases: tuple[str, ...] | list[str] = DEFAULT_CHROME_PHRASES,
        markers: tuple[str, ...] | list[str] = DEFAULT_CHROME_MARKERS,
        marker_max_words: int = DEFAULT_MARKER_MAX_WORDS,
    ) -> None:
        ordered = sorted({_key(p) for p in phrases if p.strip()}, key=len, reverse=True)
        alternation = "|".join(re.escape(p) for p in ordered) or r"(?!x)x"
        self._phrases = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
        self._markers = tuple(_key(m) for m in markers if m.strip())
        self._marker_max_words = marker_max_words

    def is_chrome(self, line: str) -> bool:
        key = _key(line)
        if not key:
            return True
        if len(key) <= 200:
            rest = NOISE.sub("", self._phrases.sub(" ", PHONE.sub(" ", key)))
            if not rest:
                return True
        if any(m in key for m in self._markers):
            return len(key.split()) <= self._marker_max_words
        return False

    def clean(self, lines: list[str]) -> list[str]:
        return [line for line in lines if not self.is_chrome(line)]
