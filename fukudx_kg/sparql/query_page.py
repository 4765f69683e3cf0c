"""The HTML query page a browser gets at GET /sparql (plain HTML form, no scripts; its one inline
style is allowed by hash in the Content-Security-Policy, see security_headers)."""

from __future__ import annotations

from html import escape

from fukudx_kg.examples import first_query


# The page's only style, inline; security_headers allows exactly this text by its hash.
STYLE = """
 body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
 textarea { width: 100%; font-family: ui-monospace, monospace; font-size: 0.95rem; }
 .meta { color: #555; font-size: 0.9rem; }
"""

_FORMATS = (("", "auto (Accept header)"), ("html", "HTML table"), ("json", "SPARQL JSON / JSON-LD"), ("xml", "SPARQL XML / RDF/XML"),
            ("csv", "CSV"), ("tsv", "TSV"), ("ttl", "Turtle"), ("nt", "N-Triples"), ("nq", "N-Quads"),
            ("trig", "TriG"), ("jsonld", "JSON-LD"), ("rdfxml", "RDF/XML"))


def render_query_page(endpoint_path: str, release: str | None, triples: int | None, limits: dict) -> str:
    options = "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in _FORMATS)
    release_text = f"release <code>{escape(release[:12])}</code>" if release else "release unknown"
    triples_text = f"{triples:,} triples" if triples is not None else ""
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SPARQL — fukudx-kg</title>
<style>{STYLE}</style>
</head>
<body>
<h1>SPARQL エンドポイント / endpoint</h1>
<p class="meta">{release_text} · {triples_text} · timeout {limits['query_timeout_s']:g}s ·
 row cap {limits['row_cap']:,} · <a href="/version">/version</a></p>
<form method="get" action="{escape(endpoint_path)}">
<p><label for="query">Query / クエリ</label><br>
<textarea id="query" name="query" rows="16" spellcheck="false">{escape(first_query())}</textarea></p>
<p><label for="format">Format / 形式</label>
<select id="format" name="format">{options}</select>
<button type="submit">Run / 実行</button></p>
</form>
<p class="meta">Clients: send <code>GET {escape(endpoint_path)}?query=…</code> or <code>POST</code> with
<code>application/x-www-form-urlencoded</code> or <code>application/sparql-query</code>.
The service description is served here to RDF clients (Turtle, RDF/XML, JSON-LD).</p>
</body>
</html>
"""
