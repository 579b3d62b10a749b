"""The index on disk: ingest builds one record of everything derived, the writer writes it, the reader loads it."""
