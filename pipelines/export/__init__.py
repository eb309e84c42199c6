"""Exports of the archive for other tools: references for reference managers (CSL-JSON, RIS,
BibTeX) and articles for analysis tools (Parquet, CSV). Imports ``pipelines.archive`` and below.
"""

from typing import TYPE_CHECKING

from pipelines._exports import lazy_exports

# public name -> the module that defines it, loaded on first use (pipelines/_exports.py)
_EXPORTS = {
    "FORMATS": "formats",
    "ExportError": "write",
    "Selection": "write",
    "export_archive": "write",
    "collect_items": "csl",
    "csl_item": "csl",
    "name_parts": "csl",
    "bibtex_text": "managers",
    "ris_text": "managers",
    "table_rows": "tables",
    "TABLES": "tables",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pipelines.export.csl import collect_items, csl_item, name_parts
    from pipelines.export.formats import FORMATS
    from pipelines.export.managers import bibtex_text, ris_text
    from pipelines.export.tables import TABLES, table_rows
    from pipelines.export.write import ExportError, Selection, export_archive
