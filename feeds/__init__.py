"""Feed adapters, the normalized FeedEvent, and the ingest pipeline. Knows nothing of Flask."""
