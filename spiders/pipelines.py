"""Scrapy item pipeline that stores raw pages."""

from __future__ import annotations

from scrapy import Spider


class StorePagePipeline:
    """Write each fetched page to PostgreSQL through the spider's PageStore."""

    def process_item(self, item: dict, spider: Spider) -> dict:
        stored = spider.store.add_page(item)
        spider.crawler.stats.inc_value("akhbar/pages_stored" if stored else "akhbar/pages_same")
        return item
