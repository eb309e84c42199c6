"""Verification of references against Crossref and PubMed, the pure part: which request checks
a reference, reading the services' JSON into comparable fields, comparing them with the
reference, retraction notices (Crossref metadata, the Retraction Watch CSV) and the result line.
The network, the cache and the command are in ``crawler/verify/``. Imports ``pipelines.record``
and ``pipelines.references``.
"""

from typing import TYPE_CHECKING

from pipelines._exports import lazy_exports

# public name -> the module that defines it, loaded on first use (pipelines/_exports.py)
_EXPORTS = {
    "FIELDS": "compare",
    "SEARCH_MIN_SCORE": "compare",
    "TITLE_MIN_SIMILARITY": "compare",
    "Difference": "compare",
    "accept_search_hit": "compare",
    "compare_fields": "compare",
    "title_similarity": "compare",
    "Found": "found",
    "AnswerFormatError": "found",
    "crossref_items": "found",
    "crossref_work": "found",
    "from_crossref": "found",
    "pubmed_summary": "found",
    "Lookup": "lookup",
    "Outcome": "lookup",
    "Reply": "lookup",
    "plan_lookup": "lookup",
    "verify_reference": "lookup",
    "RESULT_KEYS": "result",
    "STATUSES": "result",
    "VERIFICATION": "result",
    "as_reference": "result",
    "cited_after_retraction": "result",
    "result_line": "result",
    "summarise": "result",
    "summary_text": "result",
    "Retraction": "retractions",
    "RetractionFileError": "retractions",
    "RetractionIndex": "retractions",
    "sheet_date": "retractions",
    "first_page": "text",
    "same_family": "text",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pipelines.verify.compare import (
        FIELDS,
        SEARCH_MIN_SCORE,
        TITLE_MIN_SIMILARITY,
        Difference,
        accept_search_hit,
        compare_fields,
        title_similarity,
    )
    from pipelines.verify.found import (
        AnswerFormatError,
        Found,
        crossref_items,
        crossref_work,
        from_crossref,
        pubmed_summary,
    )
    from pipelines.verify.lookup import Lookup, Outcome, Reply, plan_lookup, verify_reference
    from pipelines.verify.result import (
        RESULT_KEYS,
        STATUSES,
        VERIFICATION,
        as_reference,
        cited_after_retraction,
        result_line,
        summarise,
        summary_text,
    )
    from pipelines.verify.retractions import Retraction, RetractionFileError, RetractionIndex, sheet_date
    from pipelines.verify.text import first_page, same_family
