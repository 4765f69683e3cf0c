"""Stage 4, web: HTTP plumbing shared by the SPARQL endpoint and the browser (settings at run
time, content negotiation, CORS, errors, security headers, compression, health, languages, the
production server)."""
