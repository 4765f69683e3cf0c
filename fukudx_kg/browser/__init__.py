"""Stage 6, browser: the linked-data pages. Every data IRI dereferences, as HTML for people and
RDF for machines; one module per page family."""
