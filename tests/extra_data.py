"""Build directories holding the real dataset plus a few extra quads (page tests: hostile labels,
a second prefecture), with a release.json that matches them, so a real server serves them."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def nquads(trig: Path) -> list[str]:
    """The quads of a TriG file as N-Quads lines."""
    data = ox.serialize(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS)
    return data.decode("utf-8").splitlines()


def extended_build(built: Path, target: Path, extra: list[str]) -> Path:
    """`target` = the dataset in `built` plus the N-Quads lines `extra`; release.json counts them."""
    lines = sorted(set((built / "dataset.nq").read_text(encoding="utf-8").splitlines() + extra))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    (target / "dataset.nq").write_bytes(data)
    release = json.loads((built / "release.json").read_text(encoding="utf-8"))
    graphs = Counter(str(q.graph_name.value) for q in ox.parse(data, format=ox.RdfFormat.N_QUADS))
    release.update(release=hashlib.sha256(data).hexdigest(), quads=len(lines), graphs=dict(sorted(graphs.items())))
    (target / "release.json").write_text(json.dumps(release), encoding="utf-8")
    return target
