"""Text stages: cleaning, sections, chunks, word segmentation, accents, metadata and the shared vocabulary."""
