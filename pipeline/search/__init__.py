"""Search: retrievers (dense, BM25 over words, BM25 over folded syllables), their fusion and filters."""
