"""Stage 6, browser: the linked-data pages. Every data IRI dereferences, as HTML for people and
RDF for machines.

Routes (blueprint "browse", registered by `core.register(app)`):

    /                         home: what the dataset is, its prefectures with their sources and coverage,
                              counts per prefecture, entry points, downloads, licence
    /id/<path>                a resource under the data base IRI (conneg; .ttl .jsonld .nt .rdf .nq .trig;
                              `/id/<path>/` redirects to `/id/<path>`)
    /resource?iri=…           any other IRI the dataset mentions (e.g. skos:Concept)
    /ontology, /ontology/<t>  the vocabulary (HTML documentation; OWL as Turtle/RDF-XML/… by Accept)
    /graph/<name>             a named graph (https://w3id.org/fukudx/graph/<name>) describing itself
    /search?q=…[&pref=NN]     NFKC substring search over labels and descriptions (HTML or JSON), each hit
                              with its prefecture; `pref=` keeps one prefecture's (or `shared`) hits
    /query, /yasgui           query page (plain form + YASGUI editor) with the example queries
    /charts/<name>.svg        the pictures as stand-alone SVG (kpi-by-department?pref=NN per prefecture)
    /download/dataset.nq, /download/<graph>.ttl, /.well-known/void

Content negotiation follows "Cool URIs for the Semantic Web" (same URI, `Vary: Accept`,
`Content-Location` and `Link: rel=alternate` to every format) with the endpoint's Accept parser;
every RDF type the endpoint serves is served here too (plus text/n3 and application/x-turtle as
Turtle). Security headers and compression are app-wide (security_headers, compression).

Every page is prefecture-neutral: a resource's prefecture is the prefecture graph it is stated in
(`prefectures`), its source the excerpts it was derived from, with their published pages.
"""
