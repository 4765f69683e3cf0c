"""Stage 5, SPARQL: the SPARQL 1.1 Protocol blueprint — reading requests, inspecting and checking
queries, the query-process side (`worker`), result writers and the service description."""
