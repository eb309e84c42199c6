"""References: finding a post's reference list, parsing each entry into fields (authors, title,
source, identifiers, journal names), and linking the in-text markers to the entries, with the
contradictions between a sentence and the entry it cites. Imports only ``pipelines.record``.
"""

from typing import TYPE_CHECKING

from pipelines._exports import lazy_exports

# public name -> the module that defines it, loaded on first use (pipelines/_exports.py)
_EXPORTS = {
    "check_references": "checks",
    "journal_key": "journals",
    "same_journal": "journals",
    "find_reference_blocks": "find",
    "looks_like_citation": "find",
    "parse_entries": "find",
    "remove_elements": "find",
    "bracket_superscripts": "markers",
    "link_citations": "markers",
    "parse_reference": "parse",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pipelines.references.checks import check_references
    from pipelines.references.find import (
        find_reference_blocks,
        looks_like_citation,
        parse_entries,
        remove_elements,
    )
    from pipelines.references.journals import journal_key, same_journal
    from pipelines.references.markers import bracket_superscripts, link_citations
    from pipelines.references.parse import parse_reference
