"""Departments of a prefectural government as an ORG hierarchy (部 › 局 › 課/室)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.iris import FDX, ORG, SKOS
from fukudx_kg.build.schema import CSV_COLUMNS
from fukudx_kg.build.sources import SourceError, read_csv

PATH_SEPARATOR = "/"


class Departments:
    """Mints Department resources from printed hierarchies, using the curated slug table.

    IRIs nest the slugs of the whole path (org/shoko-rodo-bu/kanko-koryu-kyoku/…) because
    the same 課 name (総務課) exists under several 部.
    """

    def __init__(self, kg: KG, folder: Path, pref: URIRef):
        self.kg, self.pref = kg, pref
        self.path = folder / "departments.csv"
        self.table: dict[tuple[str, ...], tuple[str, str]] = {}
        if self.path.exists():
            for line, row in read_csv(self.path, *CSV_COLUMNS["departments.csv"]):
                key = tuple(row["path"].split(PATH_SEPARATOR))
                if key in self.table:
                    raise SourceError(self.path, line, f"department {row['path']} is listed twice")
                self.table[key] = (row["slug"], row.get("name_en", ""))
        self.minted: dict[tuple[str, ...], URIRef] = {}

    def unit(self, names: list[str]) -> URIRef:
        """The Department for a printed hierarchy; a ValueError says what to add (callers add file:line)."""
        key = tuple(names)
        if key in self.minted:
            return self.minted[key]
        parent = self.pref if len(key) == 1 else self.unit(list(key[:-1]))
        if key not in self.table:
            raise ValueError(f"department {' › '.join(key)} has no slug in {self.path.name} "
                             f"(add a row: {PATH_SEPARATOR.join(key)},<ascii-slug>,<English name>)")
        slug, name_en = self.table[key]
        segments = [self.table[key[:i]][0] for i in range(1, len(key))] + [slug]
        dept = self.kg.pref_iri("org/" + "/".join(segments))
        self.kg.typed(dept, FDX.Department)
        self.kg.label(dept, key[-1], name_en or None)
        self.kg.add(dept, SKOS.prefLabel, Literal(key[-1], lang="ja"))
        if len(key) > 1:
            self.kg.add(dept, SKOS.altLabel, Literal(" ".join(key), lang="ja"))
        self.kg.add(dept, ORG.subOrganizationOf, parent)
        self.kg.add(parent, ORG.hasSubOrganization, dept)
        self.kg.add(dept, FDX.inPrefecture, self.pref)
        self.minted[key] = dept
        return dept
