"""Stage 1, build: curated sources (data/prefectures, data/sources) → the RDF dataset.

The only package that reads the curated YAML/CSV and builds graphs with rdflib; nothing later
imports it. `pipeline.build()` writes the release artefacts (see `fukudx_kg.release`).
"""
