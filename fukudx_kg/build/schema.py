"""The keys each curated record may carry: one table that the build enforces and FORMAT.md documents.

A kind maps each allowed key to the kind of its value (another kind for a mapping or a list of
mappings, None for a scalar or a list of scalars). A key in REQUIRED must be present. Keys the
build does not turn into triples are evidence cells: `{text, lines}` quoted so that the build can
check that the source prints what a neighbouring value says (a date, a time, a role).
"""

from __future__ import annotations

CELL = "cell"

KINDS: dict[str, dict[str, str | None]] = {
    # {text, lines}: words of the source and the 1-based lines of the local copy that print them;
    # `file` (or `source`) names another local copy than the file's default.
    CELL: {"text": None, "lines": None, "file": None, "source": None},
    "prefecture": {"code": None, "local_government_code": None, "standard_area_code": None, "name_ja": None,
                   "name_kana": None, "name_en": None, "fiscal_years": None, "publisher_note": None,
                   "completeness": "completeness"},
    # how complete a prefecture's or a plan's data is: full-list, partial-items or plan-metadata-only
    "completeness": {"level": None, "ja": None, "en": None},
    # documents.yaml
    "documents_file": {"documents": "document"},
    "document": {"key": None, "title": CELL, "title_en": None, "short_title": CELL, "source": None, "lines": None,
                 "url": None, "see_also": None, "seen": None, "issued": None, "issued_lines": None,
                 "period": "period", "revision_of": None, "part_of": None, "fiscal_year": None, "note": None,
                 "coverage": "coverage", "completeness": "completeness", "owner": None, "flags": None},
    "period": {"start": None, "end": None, "first_fy": None, "last_fy": None, "text": None, "lines": None,
               "flags": None},
    "coverage": {"ja": None, "en": None},
    # policy/*.yaml
    "policy_file": {"scheme": None, "document": None, "source": None, "label": "label", "cover": "cover",
                    "sections": "policy_section", "roadmaps": "roadmap", "governance": "governance"},
    "label": {"ja": None, "en": None},
    "cover": {"title": CELL, "kind": CELL, "issued": None, "issued_text": CELL, "revised": None,
              "revised_text": CELL, "publisher": CELL, "period": "period", "midterm_review": CELL},
    "policy_section": {"key": None, "notation": None, "name": CELL, "parent": None, "description": CELL,
                       "new_value": CELL, "notation_from": CELL, "group": CELL, "note": CELL, "steps": CELL,
                       "flags": None},
    "roadmap": {"key": None, "title": CELL, "section": None, "years": None, "year_labels": CELL, "lines": None,
                "note": CELL, "rows": "roadmap_row", "placed": "placed", "unplaced": "unplaced", "flags": None},
    "roadmap_row": {"key": None, "name": CELL, "section": None, "new_value": CELL, "flags": None},
    "placed": {"row": None, "fy": None, "phase": CELL, "evidence": CELL, "flags": None},
    "unplaced": {"text": None, "lines": None, "row": None, "flags": None},
    "governance": {"text": None, "lines": None, "section": None, "post": "post"},
    "post": {"key": None, "name": None, "name_en": None, "held_by": None},
    # initiatives/*.yaml
    "list_file": {"source": None, "list": None, "key": None, "scheme": None, "fiscal_year": None,
                  "sections": "list_section", "rows": "row", "kpis": "kpi"},
    "list_section": {"chapter": None, "code": None, "key": None, "field": None, "parent": None, "name": None,
                     "lines": None, "responsible": None, "responsible_lines": None, "flags": None},
    "row": {"item": None, "chapter": None, "n": None, "lines": None, "departments": None, "program": CELL,
            "name": CELL, "overview": CELL, "target": CELL, "kpis": "kpi", "notes": CELL, "url": None,
            "flags": None},
    "kpi": {"label": None, "text": None, "lines": None, "value": None, "unit": None, "target_fy": None,
            "qualifiers": None, "qualitative": None, "definition": CELL, "values": "kpi_value", "url": None,
            "flags": None},
    "kpi_value": {"role": None, "value": None, "printed": None, "unit": None, "fy": None, "year": None,
                  "date": None, "lines": None, "qualifiers": None, "flags": None},
    # meetings.yaml
    "meetings_file": {"scheme": None, "documents": "meeting_document", "meetings": "meeting",
                      "services": "service", "roadmap_facts": "roadmap_fact"},
    "meeting_document": {"key": None, "source": None, "kind": None, "title": CELL, "label": CELL,
                         "first_heading": CELL, "flags": None},
    "meeting": {"key": None, "source": None, "document": None, "lines": None, "title": CELL, "bodies": CELL,
                "date": None, "date_text": CELL, "start": None, "end": None, "time_text": CELL,
                "time_lines": None, "place": CELL, "statements": "statement", "agenda": "agenda_item",
                "decided": "agenda_item", "reported": "agenda_item", "flags": None},
    "statement": {"role": CELL, "speaker": None, "department": None, "lines": None, "summary": CELL,
                  "flags": None},
    "agenda_item": {"text": None, "lines": None, "material": None, "policy": None, "services": None,
                    "heading": CELL, "act": CELL, "by": CELL, "basis": CELL, "material_ref": CELL, "flags": None},
    "service": {"key": None, "source": None, "name": CELL, "also_called": CELL, "description": CELL,
                "aim": CELL, "also": CELL, "launch": "launch", "release_text": CELL, "events": "event",
                "planned": "planned_item", "mentioned_by": "mention", "policy_section": None,
                "policy_ref": CELL, "notation_from": CELL, "flags": None},
    "launch": {"date": None, "month": None, "status": None, "evidence": None, "before": None, "text": None,
               "lines": None},
    "event": {"date": None, "status": None, "evidence": None, "text": None, "lines": None},
    "planned_item": {"period": None, "text": None, "lines": None, "flags": None},
    "mention": {"speaker": None, "text": None, "lines": None},
    "roadmap_fact": {"roadmap": None, "roadmap_row": None, "fy": None, "phase": None, "evidence": None,
                     "source": None, "lines": None, "item": None, "speaker": None, "text": None, "flags": None},
    # themes.yaml (this prefecture's links) and data/themes/*.yaml (the shared schemes)
    "themes_file": {"source": None, "links": "theme_link"},
    "theme_link": {"target": None, "theme": None, "match": None, "evidence": CELL, "inherit": None,
                   "doubtful": None},
    "theme_scheme_file": {"scheme": "theme_scheme", "themes": "theme"},
    "theme_scheme": {"key": None, "path": None, "label_ja": None, "label_en": None},
    "theme": {"key": None, "ja": None, "en": None, "versions": None, "definition_ja": None,
              "definition_en": None},
}

REQUIRED: dict[str, set[str]] = {
    CELL: {"text", "lines"},
    "prefecture": {"code", "name_ja", "completeness"},
    "completeness": {"level", "ja"},
    "documents_file": {"documents"},
    "document": {"key", "title"},
    "coverage": {"ja"},
    "policy_file": {"scheme", "document", "sections"},
    "label": {"ja"},
    "policy_section": {"key", "name"},
    "roadmap": {"key", "title", "section", "years", "lines", "rows"},
    "roadmap_row": {"key", "name"},
    "placed": {"row", "fy", "phase"},
    "unplaced": {"text", "lines"},
    "governance": {"text", "lines"},
    "post": {"key", "name", "held_by"},
    "list_file": {"source", "list", "key"},
    "list_section": {"name", "lines"},
    "row": {"item", "n", "lines", "departments"},
    "kpi": {"label"},
    "kpi_value": {"role"},
    "meetings_file": {"documents", "meetings"},
    "meeting_document": {"key", "source"},
    "meeting": {"key", "source", "document", "lines", "title", "date", "start", "end", "place", "statements"},
    "statement": {"role", "lines"},
    "agenda_item": {"text", "lines"},
    "service": {"key", "source", "name"},
    "roadmap_fact": {"roadmap", "roadmap_row", "fy", "phase", "evidence", "source", "lines"},
    "themes_file": {"links"},
    "theme_link": {"target", "theme", "match", "evidence"},
    "theme_scheme_file": {"scheme", "themes"},
    "theme_scheme": {"key", "label_ja", "label_en"},
    "theme": {"key", "ja", "en"},
}

# The file kinds of a prefecture folder, by the file (or folder/*.yaml) they live in.
FOLDER_FILES = {
    "prefecture.yaml": "prefecture",
    "documents.yaml": "documents_file",
    "policy/*.yaml": "policy_file",
    "initiatives/*.yaml": "list_file",
    "meetings.yaml": "meetings_file",
    "themes.yaml": "themes_file",
}
CSV_COLUMNS = {
    "departments.csv": (["path", "slug"], ["name_en"]),
    "regions.csv": (["slug", "name_ja", "name_en"], []),
    "municipalities.csv": (["code6", "code5", "name_ja", "name_kana", "name_en", "kind", "region"], ["district"]),
    "sac-iris.csv": (["code5", "sac_iri"], ["name_ja", "sac_versioned_iri", "district_sac_iri"]),
    "groups.csv": (["group_id", "name_ja", "name_en"], ["mentioned_in"]),
    "municipality-groups.csv": (["group_id", "code6"], ["group_name_ja"]),
}
