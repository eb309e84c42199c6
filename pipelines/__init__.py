"""Pure functions that turn a fetched page into an article record, plus thin Scrapy adapters."""

__version__ = "0.1.0"
TOOL = f"clinic-archive {__version__}"
