"""Spiders: they discover and fetch; they never extract. One general spider, ``clinic_blog``,
with its sitemap and feed discovery, recrawl and error handling as mixins beside it."""

from crawler.spiders.clinic_blog import ClinicBlogSpider

__all__ = ["ClinicBlogSpider"]
