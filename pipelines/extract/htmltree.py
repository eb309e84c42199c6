"""lxml HTML parsers whose elements get lxml.html's element classes without a Python call each.

An ``lxml.html.HTMLParser`` picks the Python class of every element it hands out in Python
(``HtmlElementClassLookup.lookup``): ~740 calls for a post of the crawl benchmark, 2.5-3.5% of
``build_article``. The parsers made here pick in C (``ElementDefaultClassLookup``): every element
is an ``HtmlElement``, every comment an ``HtmlComment``, and so on; the trees are the same. What
is lost are lxml.html's form-control subclasses (``FormElement``, ``InputElement`` and the like,
with ``.fields``/``.value`` helpers), which neither this project nor trafilatura uses.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from lxml import html as lxml_html

C_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement,
    comment=lxml_html.HtmlComment,
    pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity,
)


def html_parser(**options: Any) -> lxml_html.HTMLParser:
    """``lxml.html.HTMLParser(**options)`` with element classes picked in C. Like any lxml parser,
    not for two threads at once."""
    parser = lxml_html.HTMLParser(**options)
    parser.set_element_class_lookup(C_LOOKUP)
    return parser
