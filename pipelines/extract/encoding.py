"""Which encoding an HTML body is really in, when its declarations are wrong or missing.

Scrapy (w3lib) trusts the HTTP ``charset`` over everything and guesses when nothing is
declared. On the real web that turns a Windows-1252 page served as UTF-8 into "don�t", a
UTF-8 page served as ISO-8859-1 into "donâ€™t", and an undeclared Windows-1252 page into
Windows-1250 ("naďve"). The rule here, in order:

1. a byte order mark wins (as in browsers);
2. bytes that are valid UTF-8 and not plain ASCII are UTF-8, whatever is declared: legacy
   text is practically never valid UTF-8 by accident, while "UTF-8 declared as Latin-1" is a
   common server default;
3. otherwise the first declaration (HTTP header, then ``<meta charset>``) that decodes the
   bytes without error: a Shift_JIS page with a correct ``<meta>`` behind a wrong header;
4. otherwise Windows-1252, the web's default for undeclared pages (WHATWG Encoding), if it
   decodes the bytes; if not, no opinion (``None``): let Scrapy's detection decide.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

UTF8 = "utf-8"
WEB_DEFAULT = "cp1252"
# A <meta> or header declaring UTF-16/32 on a body without a BOM is wrong by definition
# (HTML spec: treat it as UTF-8); such declarations are ignored.
WIDE = ("utf-16", "utf-32")


def html_encoding(content_type: str, body: bytes) -> str | None:
    """The codec to decode ``body`` with, or None to keep Scrapy's choice. Never raises."""
    bom, _ = read_bom(body)
    if bom:
        return bom
    declared = [enc for enc in _declared(content_type, body) if not enc.startswith(WIDE)]
    if _decodes(body, UTF8):
        return UTF8 if not body.isascii() else (declared[0] if declared else UTF8)
    for enc in declared:
        if _decodes(body, enc):
            return enc
    return WEB_DEFAULT if _decodes(body, WEB_DEFAULT) else None


def _declared(content_type: str, body: bytes) -> list[str]:
    found = []
    for enc in (http_content_type_encoding(content_type or None), html_body_declared_encoding(body)):
        name = _codec_name(enc)
        if name and name not in found:
            found.append(name)
    return found


def _codec_name(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def codec_name(encoding: str) -> str:
    """Python's name for an encoding ("latin-1" and "ISO-8859-1" are both "iso8859-1"), or the
    name as given when Python does not know it: to compare two labels."""
    return _codec_name(encoding) or encoding
