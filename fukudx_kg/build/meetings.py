"""Headquarters meetings (minutes 000/004, material 003): who spoke, what was decided and reported,
the services launched, and the roadmap facts the minutes state."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from rdflib import Literal, URIRef

from fukudx_kg.build.graph import KG
from fukudx_kg.build.iris import DCTERMS, FDX, ORG, PROV, RDF, SCHEMA, XSD
from fukudx_kg.build.seedtext import lines_of
from fukudx_kg.build.sources import Record, load_checked

JST = dt.timezone(dt.timedelta(hours=9))
# Posts named in minutes, by the role as printed (person names such as 鈴木 are dropped).
# Longest suffix first: 副知事 also ends with 知事.
TOP_POSTS = {"副知事": ("fuku-chiji", "副知事", "Vice Governor"), "知事": ("chiji", "知事", "Governor")}


class MeetingsPart:
    def __init__(self, kg: KG, path: Path):
        self.path = path
        self.data = load_checked(path, "meetings_file", kg.sources_dir)
        self.r = kg.reader(path)
        self.policy = None

    def register_documents(self, kg: KG) -> None:
        """Meeting documents join the document registry before any excerpt is minted."""
        for d in self.r.req(self.data, "documents", list):
            source = self.r.req(d, "source")
            kg.register_document(self.r.req(d, "key"), kg.pref_iri(f"doc/{d['key']}"), source,
                                 1, len(lines_of(source, kg.sources_dir)))

    def build(self, kg: KG, pref: URIRef, departments, policies: dict) -> None:
        """`policies` by scheme: `scheme` names the one whose sections and roadmaps the minutes discuss."""
        r = self.r
        scheme = r.opt(self.data, "scheme")
        if scheme is not None and scheme not in policies:
            raise r.fail(self.data, f"scheme {scheme!r} is not defined by a file in policy/")
        self.policy = policies.get(scheme)
        for d in r.req(self.data, "documents", list):
            self._document(kg, pref, d)
        services = {}
        for s in r.opt(self.data, "services", list, []):
            services[r.req(s, "key")] = self._service(kg, pref, s)
        for m in r.req(self.data, "meetings", list):
            self._meeting(kg, pref, departments, m, services)
        policy = self.policy
        for fact in r.opt(self.data, "roadmap_facts", list, []):
            if policy is None:
                raise r.fail(fact, "roadmap facts need 'scheme' (the policy file whose roadmap rows they name)")
            source = r.req(fact, "source")
            policy.add_entry(kg, r.req(fact, "roadmap"), r.req(fact, "roadmap_row"), r.req(fact, "fy", int),
                             r.req(fact, "phase"), (source, *r.line_range(fact)), (source, *r.line_range(fact)),
                             r.req(fact, "evidence"), r.opt(fact, "flags", list), where=fact, reader=r)

    def _document(self, kg: KG, pref: URIRef, d: Record) -> None:
        r = self.r
        iri = kg.document(r.req(d, "key"))
        source = r.req(d, "source")
        kg.typed(iri, FDX.PolicyDocument)
        kg.add(iri, FDX.sourceFile, Literal(source))
        kg.add(iri, DCTERMS.publisher, pref)
        kg.add(iri, FDX.inPrefecture, pref)
        title = r.opt(d, "title", dict) or r.opt(d, "label", dict)
        if title is None:
            raise r.fail(d, "a document needs a 'title' (or a 'label' naming it)")
        kg.label(iri, r.req(title, "text"))
        kg.derived(iri, title.get("file", source), *r.line_range(title))
        kg.notes(iri, r.opt(d, "flags", list))

    def _post(self, kg: KG, pref: URIRef, departments, role: str, department: str | None) -> URIRef:
        for suffix, (slug, ja, en) in TOP_POSTS.items():
            if role.replace(" ", "").endswith(suffix) and not department:
                post = kg.pref_iri(f"post/{slug}")
                kg.add(post, RDF.type, ORG.Post)
                kg.label(post, ja, en)
                kg.add(post, ORG.postIn, pref)
                return post
        if not department:
            raise ValueError(f"role {role!r} needs a 'department' (a 部長 of which 部?)")
        dept = departments.unit([department])
        post = URIRef(f"{dept}/head")
        kg.add(post, RDF.type, ORG.Post)
        kg.label(post, f"{department}長")
        kg.add(post, ORG.postIn, dept)
        return post

    def _meeting(self, kg: KG, pref: URIRef, departments, m: Record, services: dict) -> None:
        r = self.r
        key = r.req(m, "key")
        source = r.req(m, "source")
        iri = kg.pref_iri(f"meeting/{key}")
        kg.typed(iri, FDX.Meeting)
        title = r.req(m, "title", dict)
        date = r.req(m, "date")
        kg.label(iri, f"{r.req(title, 'text')}（{date}）")
        kg.date(iri, DCTERMS.date, date)
        kg.derived(iri, source, *r.line_range(m))
        kg.add(iri, PROV.used, kg.document(r.req(m, "document")))
        kg.add(kg.document(m["document"]), PROV.wasGeneratedBy, iri)
        day = dt.date.fromisoformat(date)
        for field, prop in (("start", PROV.startedAtTime), ("end", PROV.endedAtTime)):
            clock = r.req(m, field)
            if not re.fullmatch(r"\d{1,2}:\d{2}", clock):
                raise r.fail(m, f"{field} {clock!r} must be a time like \"14:35\" (quoted)")
            hh, mm = (int(x) for x in clock.split(":"))
            stamp = dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=JST)
            kg.add(iri, prop, Literal(stamp.isoformat(), datatype=XSD.dateTime))
        place = r.req(m, "place", dict)
        loc = kg.pref_iri(f"meeting/{key}/place")
        kg.add(loc, RDF.type, PROV.Location)
        kg.label(loc, r.req(place, "text"))
        kg.add(iri, PROV.atLocation, loc)
        for body in r.opt(m, "bodies", list, []):
            kg.ja(iri, DCTERMS.creator, r.req(body, "text"))
        for n, st in enumerate(r.req(m, "statements", list), start=1):
            self._statement(kg, pref, departments, iri, key, source, n, st)
        for prop, field, path in ((FDX.agenda, "agenda", "agenda"), (FDX.decided, "decided", "decision"),
                                  (FDX.reported, "reported", "report")):
            for n, item in enumerate(r.opt(m, field, list, []), start=1):
                a = kg.pref_iri(f"meeting/{key}/{path}/{n}")
                kg.typed(a, FDX.AgendaItem)
                kg.label(a, r.req(item, "text"))
                kg.derived(a, source, *r.line_range(item))
                kg.add(iri, prop, a)
                if item.get("material"):
                    kg.add(a, FDX.concerns, kg.document(item["material"]))
                if item.get("policy"):
                    try:
                        kg.add(a, FDX.concerns, kg.document(item["policy"]))
                    except KeyError:
                        raise r.fail(item, f"policy {item['policy']!r} is not a document key") from None
                for s in item.get("services") or []:
                    if s not in services:
                        raise r.fail(item, f"service {s!r} is not defined under 'services'")
                    kg.add(a, FDX.concerns, services[s])
                kg.notes(a, r.opt(item, "flags", list))
        kg.notes(iri, r.opt(m, "flags", list))

    def _statement(self, kg: KG, pref, departments, meeting: URIRef, key: str, source: str, n: int,
                   st: Record) -> None:
        r = self.r
        role = r.req(st, "role", dict)
        speaker = r.opt(st, "speaker") or role["text"]
        try:
            post = self._post(kg, pref, departments, speaker, r.opt(st, "department"))
        except ValueError as exc:
            raise r.fail(st, str(exc)) from exc
        s = kg.pref_iri(f"meeting/{key}/statement/{n}")
        kg.typed(s, FDX.Statement)
        kg.label(s, f"{speaker}の発言（{n}）")
        kg.add(s, FDX.speaker, post)
        kg.integer(s, FDX.statementOrder, n)
        kg.add(meeting, FDX.hasStatement, s)
        kg.add(meeting, PROV.wasAssociatedWith, post)
        summary = r.opt(st, "summary", dict)
        if summary:
            kg.ja(s, DCTERMS.description, r.req(summary, "text"))
        kg.derived(s, source, *r.line_range(st))
        kg.notes(s, r.opt(st, "flags", list))

    def _service(self, kg: KG, pref: URIRef, s: Record) -> URIRef:
        r = self.r
        source = r.req(s, "source")
        iri = kg.pref_iri(f"service/{r.req(s, 'key')}")
        kg.typed(iri, FDX.DigitalService)
        name = r.req(s, "name", dict)
        kg.label(iri, r.req(name, "text"))
        kg.add(iri, SCHEMA.provider, pref)
        kg.derived(iri, source, *r.line_range(name))
        desc = r.opt(s, "description", dict)
        if desc:
            kg.ja(iri, DCTERMS.description, r.req(desc, "text"))
        launch = r.opt(s, "launch", dict)
        if launch:
            if launch.get("date"):
                kg.date(iri, FDX.launchDate, r.req(launch, "date"))
            elif launch.get("month"):
                kg.add(iri, FDX.launchMonth, Literal(launch["month"], datatype=XSD.gYearMonth))
            kg.derived(iri, source, *r.line_range(launch))
            if launch.get("evidence"):
                kg.add(iri, FDX.evidence, Literal(launch["evidence"], lang="en"))
            if launch.get("status") == "planned":
                kg.ja(iri, FDX.curationNote, "提供開始日は会議の時点での予定として述べられたもの")
        section = r.opt(s, "policy_section")
        if section:
            if self.policy is None:
                raise r.fail(s, "policy_section needs 'scheme' at the top of the file")
            kg.add(iri, DCTERMS.relation, self.policy.known_section(kg, s, section, r))
        kg.notes(iri, r.opt(s, "flags", list))
        return iri
