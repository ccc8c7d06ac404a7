"""Feed adapters: pure parsers from a payload's bytes to FeedEvents, their helpers, and the registry.

Nothing here touches the database, HTTP or Flask (tests/feeds/test_adapters_pure.py
holds every module to that); the pipeline in feeds/ imports these, never the reverse.
"""
