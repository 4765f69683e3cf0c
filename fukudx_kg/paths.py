"""Where the project's files are, relative to the repository (defined once)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
SOURCES_DIR = DATA_DIR / "sources"
RELEASE_DIR = DATA_DIR / "release"
ONTOLOGY_FILE = REPO_ROOT / "ontology" / "fukudx.ttl"
EXTERNAL_LABELS_FILE = REPO_ROOT / "ontology" / "external-labels.ttl"  # ja/en labels of other vocabularies' terms
SHAPES_FILE = REPO_ROOT / "shapes" / "fukudx-shapes.ttl"
QUERIES_DIR = REPO_ROOT / "queries"
NODE_MODULES = REPO_ROOT / "node_modules"
