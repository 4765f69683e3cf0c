"""fukudx-kg: a knowledge graph of Japanese prefectural DX policy, built from curated sources."""

__version__ = "0.1.0"
