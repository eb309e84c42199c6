"""clinic-archive crawler: the Scrapy project (settings, spiders, discovery) and the CLI."""

from pipelines import TOOL, __version__

__all__ = ["TOOL", "__version__"]
