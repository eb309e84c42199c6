"""The export formats, by name (a module of its own: the CLI lists them without loading the
writers)."""

# format -> what it holds; reference formats hold the references of each article's newest version
FORMATS = {
    "jsonl": "archive lines as they are (all versions, or the newest with --latest)",
    "csl-json": "references, one CSL-JSON item per work (Zotero, Pandoc, citeproc)",
    "ris": "references as RIS (EndNote, Zotero, Mendeley)",
    "bibtex": "references as BibTeX (LaTeX, JabRef)",
    "parquet": "articles.parquet and references.parquet in a directory (needs the parquet extra)",
    "csv": "articles.csv and references.csv in a directory",
    "markdown": "one Markdown file per article (newest version) with YAML front matter, in a directory",
}
REFERENCE_FORMATS = ("csl-json", "ris", "bibtex")
TABLE_FORMATS = ("parquet", "csv")
DIRECTORY_FORMATS = (*TABLE_FORMATS, "markdown")
