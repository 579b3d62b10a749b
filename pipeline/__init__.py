"""tracuu: search and cited answers over Vietnamese government documents.

data/ → readers → clean → sections → chunk → segment → embed → store (index/) → search → answer → cli / app.py
"""

__version__ = "0.1.0"
