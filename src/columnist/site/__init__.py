"""Static site generation: pages, feeds and sitemap from published posts."""

from columnist.site.build import BuildReport, build_site

__all__ = ["BuildReport", "build_site"]
