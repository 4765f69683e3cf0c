"""Every shape rejects data that breaks it, and accepts the real data.

Each test takes a small conforming sample of the real build (one resource of each class
with its neighbourhood), breaks one rule, and checks that validation reports exactly
that shape. The full build is validated once as well.
"""

from __future__ import annotations

import gc

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor

from fukudx_kg import validate as v
from fukudx_kg.build.iris import FDX, SCHEMA

pytestmark = pytest.mark.slow  # one pySHACL run per broken-shape case

CLASSES = [FDX.Prefecture, FDX.Municipality, FDX.MunicipalityGroup, FDX.Region, FDX.Department,
           FDX.PolicyDocument, FDX.PolicySection, FDX.Program, FDX.Initiative, FDX.KPI, FDX.FiscalYear,
           FDX.RoadmapEntry, FDX.Meeting, FDX.DigitalService, FDX.Theme, FDX.SourceExcerpt, FDX.Statement,
           FDX.KPIValue, FDX.ThemeLink]


class PreparedQueries:
    """pySHACL hands rdflib the text of each SPARQL constraint for every focus node, and rdflib parses
    it again each time (about 70 ms, most of a validation). This caches the parsed and translated
    query per text, as rdflib's own `prepareQuery` does for reuse; evaluation is unchanged."""

    def __init__(self):
        self.original = SPARQLProcessor.query
        self.prepared: dict = {}

    def query(self, processor, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in self.prepared:
                self.prepared[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = self.prepared[key]
        return self.original(processor, strOrQuery, initBindings, initNs, base, DEBUG)


@pytest.fixture(scope="module", autouse=True)
def prepared_queries():
    cache = PreparedQueries()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SPARQLProcessor, "query", lambda *args, **kwargs: cache.query(*args, **kwargs))
        yield cache


@pytest.fixture(scope="module")
def full(built) -> Graph:
    graph = v.load([built / "dataset.nq"])
    gc.collect()  # a file left open would raise its ResourceWarning now (warnings are errors)
    return graph


@pytest.fixture(scope="module")
def sample(full) -> Graph:
    """One instance of every class (a KPI with a value), with every triple of them and their neighbours."""
    seeds = set()
    for cls in CLASSES:
        instances = sorted(full.subjects(RDF.type, cls))
        if cls == FDX.KPI:
            instances = [k for k in instances if (k, FDX.targetValue, None) in full]
        seeds.add(instances[0])
    nodes = set(seeds)
    for s in seeds:
        nodes.update(o for o in full.objects(s, None) if isinstance(o, URIRef))
    g = Graph()
    for s in nodes:
        for p, o in full.predicate_objects(s):
            g.add((s, p, o))
            if isinstance(o, URIRef):
                for t in full.objects(o, RDF.type):
                    g.add((o, RDF.type, t))
                for lp in (FDX.sourceFile, FDX.lineStart, FDX.lineEnd):
                    for x in full.objects(o, lp):
                        g.add((o, lp, x))
    for s in seeds:  # a KPI's initiative points at it
        for initiative in full.subjects(FDX.hasKPI, s):
            g.add((initiative, FDX.hasKPI, s))
    return g


def one(g: Graph, cls) -> URIRef:
    return sorted(g.subjects(RDF.type, cls))[0]


def violated(g: Graph) -> set[tuple[str, str]]:
    """(node shape, focus node) pairs that have at least one violation."""
    conforms, violations = v.run(g)
    return {(x.shape.split(" ▸ ")[0], x.focus) for x in violations}


def test_real_build_conforms(full):
    conforms, violations = v.run(full)
    assert conforms, v.format_text(conforms, violations)


@pytest.fixture(scope="module")
def baseline(sample) -> set[tuple[str, str]]:
    """The sample cuts neighbours' own links, so they may violate; the chosen instances must not."""
    found = violated(sample)
    chosen = {str(one(sample, cls)) for cls in CLASSES}
    assert not {f for _, f in found} & chosen, found
    return found


def broken(sample: Graph, remove=(), add=()) -> Graph:
    g = Graph()
    for t in sample:
        g.add(t)
    for t in remove:
        g.remove(t)
    for t in add:
        g.add(t)
    return g


def drop(sample: Graph, s, p) -> Graph:
    return broken(sample, remove=[(s, p, None)])


def swap(sample: Graph, s, p, value) -> Graph:
    """Every value of s p replaced by `value`."""
    return broken(sample, remove=[(s, p, None)], add=[(s, p, value)])


def date(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


CASES = {
    "prefecture code pattern": (FDX.Prefecture, "fdxsh:PrefectureShape",
                                lambda g, s: swap(g, s, FDX.prefectureCode, Literal("7"))),
    "municipality check digit": (FDX.Municipality, "fdxsh:MunicipalityShape",
                                 lambda g, s: swap(g, s, FDX.localGovernmentCode, Literal("072011"))),
    "municipality needs prefecture": (FDX.Municipality, "fdxsh:MunicipalityShape",
                                      lambda g, s: drop(g, s, FDX.inPrefecture)),
    "municipality superclass": (FDX.Municipality, "fdxsh:MunicipalityShape",
                                lambda g, s: broken(g, [(s, RDF.type, ORG.FormalOrganization)])),
    "group members": (FDX.MunicipalityGroup, "fdxsh:MunicipalityGroupShape", lambda g, s: drop(g, s, FDX.hasMember)),
    "region label ja": (FDX.Region, "fdxsh:jaLabel",
                        lambda g, s: swap(g, s, RDFS.label, Literal("Kenpoku", lang="en"))),
    "department parent": (FDX.Department, "fdxsh:DepartmentShape", lambda g, s: drop(g, s, ORG.subOrganizationOf)),
    "document period order": (FDX.PolicyDocument, "fdxsh:PolicyDocumentShape",
                              lambda g, s: broken(g, [], [(s, FDX.startDate, date("2030-01-01")),
                                                          (s, FDX.endDate, date("2020-01-01"))])),
    "section provenance": (FDX.PolicySection, "fdxsh:provenance", lambda g, s: drop(g, s, PROV.wasDerivedFrom)),
    "program needs department": (FDX.Program, "fdxsh:ProgramShape", lambda g, s: drop(g, s, FDX.responsibleUnit)),
    "initiative needs section": (FDX.Initiative, "fdxsh:InitiativeShape", lambda g, s: drop(g, s, FDX.underSection)),
    "initiative has one program at most": (FDX.Initiative, "fdxsh:InitiativeShape", lambda g, s: broken(
        g, [], [(s, FDX.program, URIRef(str(g.value(s, FDX.program)) + "-other"))])),
    "initiative needs department": (FDX.Initiative, "fdxsh:InitiativeShape",
                                    lambda g, s: drop(g, s, FDX.responsibleUnit)),
    "initiative needs provenance": (FDX.Initiative, "fdxsh:provenance", lambda g, s: drop(g, s, PROV.wasDerivedFrom)),
    "kpi value or qualitative": (FDX.KPI, "fdxsh:KPIShape", lambda g, s: drop(g, s, FDX.targetValue)),
    "kpi value typed": (FDX.KPI, "fdxsh:KPIShape",
                        lambda g, s: swap(g, s, FDX.targetValue, Literal("110万"))),
    "kpi target year is one": (FDX.KPI, "fdxsh:KPIShape", lambda g, s: broken(
        g, [], [(s, FDX.targetFiscalYear, URIRef("https://w3id.org/fukudx/id/fy/2099"))])),
    "kpi without target says why": (FDX.KPI, "fdxsh:KPIShape", lambda g, s: broken(
        g, [(s, FDX.targetValue, None), (s, FDX.qualitative, None), (s, FDX.curationNote, None)])),
    "kpi value role": (FDX.KPIValue, "fdxsh:KPIValueShape", lambda g, s: drop(g, s, FDX.valueRole)),
    "kpi value has a time or says why not": (FDX.KPIValue, "fdxsh:KPIValueShape", lambda g, s: broken(
        g, [(s, FDX.valueFiscalYear, None), (s, FDX.valueYear, None), (s, FDX.curationNote, None)])),
    "kpi value number has a unit": (FDX.KPIValue, "fdxsh:KPIValueShape", lambda g, s: drop(g, s, FDX.valueUnit)),
    "kpi value as printed": (FDX.KPIValue, "fdxsh:KPIValueShape", lambda g, s: drop(g, s, FDX.valuePrinted)),
    "document provenance": (FDX.PolicyDocument, "fdxsh:provenance", lambda g, s: drop(g, s, PROV.wasDerivedFrom)),
    "every entity has provenance": (FDX.Program, "fdxsh:EntityProvenanceShape",
                                    lambda g, s: drop(g, s, PROV.wasDerivedFrom)),
    "web excerpt needs its address": (FDX.SourceExcerpt, "fdxsh:SourceExcerptShape", lambda g, s: broken(
        g, [(s, FDX.sourceFile, None), (s, FDX.lineStart, None), (s, FDX.lineEnd, None), (s, SCHEMA.url, None)])),
    "fiscal year dates": (FDX.FiscalYear, "fdxsh:FiscalYearShape",
                          lambda g, s: swap(g, s, FDX.endDate, date("2099-03-31"))),
    "fiscal year start before end": (FDX.FiscalYear, "fdxsh:FiscalYearShape",
                                     lambda g, s: swap(g, s, FDX.startDate, date("2100-04-01"))),
    "roadmap entry year": (FDX.RoadmapEntry, "fdxsh:RoadmapEntryShape", lambda g, s: drop(g, s, FDX.fiscalYear)),
    "meeting date": (FDX.Meeting, "fdxsh:MeetingShape",
                     lambda g, s: swap(g, s, DCTERMS.date, Literal("25 March 2024"))),
    "meeting decided is a resource": (FDX.Meeting, "fdxsh:MeetingShape",
                                      lambda g, s: broken(g, [], [(s, FDX.decided, Literal("了承"))])),
    "service launch date typed": (FDX.DigitalService, "fdxsh:DigitalServiceShape",
                                  lambda g, s: broken(g, [], [(s, FDX.launchDate, Literal("2024年3月19日"))])),
    "theme scheme": (FDX.Theme, "fdxsh:ThemeShape", lambda g, s: drop(g, s, SKOS.inScheme)),
    "excerpt lines order": (FDX.SourceExcerpt, "fdxsh:SourceExcerptShape",
                            lambda g, s: swap(g, s, FDX.lineStart, Literal(99999))),
    "excerpt file": (FDX.SourceExcerpt, "fdxsh:SourceExcerptShape",  # lines without their file, no address
                     lambda g, s: broken(g, [(s, FDX.sourceFile, None), (s, SCHEMA.url, None)])),
    "statement speaker": (FDX.Statement, "fdxsh:StatementShape", lambda g, s: drop(g, s, FDX.speaker)),
    "prefecture completeness is a level": (FDX.Prefecture, "fdxsh:PrefectureShape",
                                           lambda g, s: swap(g, s, FDX.completeness, FDX.Baseline)),
    "prefecture e-Stat area": (FDX.Prefecture, "fdxsh:PrefectureShape", lambda g, s: swap(
        g, s, FDX.standardArea, URIRef("http://data.e-stat.go.jp/lod/sac/07000"))),
    "kpi belongs to an initiative or a plan": (FDX.KPI, "fdxsh:KPIShape",
                                               lambda g, s: broken(g, [(None, FDX.hasKPI, s)])),
    "theme link match": (FDX.ThemeLink, "fdxsh:ThemeLinkShape", lambda g, s: drop(g, s, FDX.themeMatch)),
    "theme link evidence": (FDX.ThemeLink, "fdxsh:ThemeLinkShape", lambda g, s: drop(g, s, FDX.evidence)),
    "theme link target carries the theme": (FDX.ThemeLink, "fdxsh:ThemeLinkShape", lambda g, s: broken(
        g, [(g.value(s, FDX.themeOf), FDX.theme, g.value(s, FDX.linkedTheme))])),
    "doubtful theme link says why": (FDX.ThemeLink, "fdxsh:ThemeLinkShape", lambda g, s: broken(
        g, [(s, FDX.curationNote, None)], [(s, FDX.doubtful, Literal(True))])),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_shape_rejects_broken_data(sample, baseline, case):
    cls, shape, breaker = CASES[case]
    focus = one(sample, cls)
    new = violated(breaker(sample, focus)) - baseline
    assert (shape, str(focus)) in new, new


def test_prepared_queries_change_no_result(sample, prepared_queries):
    """The cache above is used (it saves time) and gives the same report as a plain pySHACL run."""
    s = one(sample, FDX.Municipality)
    data = broken(sample, [(s, FDX.localGovernmentCode, None)], [(s, FDX.localGovernmentCode, Literal("072011"))])
    cached = v.run(data)
    assert prepared_queries.prepared, "pySHACL no longer goes through SPARQLProcessor.query: drop the cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SPARQLProcessor, "query", prepared_queries.original)
        plain = v.run(data)
    assert not cached[0] and cached == plain


def test_every_shape_has_a_failing_example():
    shapes = Graph().parse(v.SHAPES_FILE)
    node_shapes = {str(s).split("#")[-1] for s in shapes.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape"))}
    tested = {shape.split(":")[-1] for _, shape, _ in CASES.values()} | {"RegionShape", "PolicySectionShape"}
    assert node_shapes - {"EvidenceShape"} <= tested, node_shapes - tested


def test_evidence_must_be_langstring(sample, baseline):
    s = one(sample, FDX.KPI)
    assert ("fdxsh:EvidenceShape", str(s)) in violated(broken(sample, [], [(s, FDX.evidence, Literal(3))])) - baseline


