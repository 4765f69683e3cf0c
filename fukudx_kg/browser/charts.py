"""Pictures drawn on the server as SVG: the roadmap timeline and KPI bar charts.

No script and no outside library: plain SVG with presentation attributes (so a strict
Content-Security-Policy allows it inline and the file stands alone when downloaded). Every text
is XML-escaped here; the result is marked safe for the templates only because of that.

Accessibility: every picture has a `<title>` and a `<desc>` it is labelled and described by; one
with links is a `group` (its links stay reachable by keyboard), one without is an `img`. A text in
another language than the page carries `lang`. The bar charts also return their numbers as rows for
the table the page shows beside them, and the second series of a stacked chart is hatched, so no
series is told apart by colour alone.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from fukudx_kg.web.i18n import JAPANESE_RUN, text_lang

FONT = "'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif"
# Each colour has at least 3:1 against the white ground (WCAG 1.4.11, non-text contrast).
PALETTE = ["#1f5f8b", "#b86200", "#2f7d4a", "#b0413e", "#6b5b95", "#4a7d77", "#8c6d31", "#6e6e6e"]
INK, MUTED, GRID, PAPER = "#1c2430", "#5d6b7a", "#d5dbe3", "#ffffff"


def _t(text) -> str:
    return escape(str(text))


def _a(text) -> str:
    return quoteattr(str(text))


def _clip(text: str, width_px: float, size: float) -> str:
    """Cut text to about `width_px` (CJK glyphs ≈ 1 em, ASCII ≈ 0.55 em)."""
    used, out = 0.0, []
    for ch in text:
        w = size * (0.58 if ord(ch) < 0x2E80 else 1.0)
        if used + w > width_px:
            return "".join(out).rstrip() + "…"
        used += w
        out.append(ch)
    return text


def _wrap(text: str, width_px: float, size: float, max_lines: int) -> list[str]:
    lines, line, used = [], "", 0.0
    for ch in text:
        w = size * (0.58 if ord(ch) < 0x2E80 else 1.0)
        if used + w > width_px and line:
            lines.append(line)
            line, used = "", 0.0
            if len(lines) == max_lines:
                lines[-1] = lines[-1][:-1] + "…"
                return lines
        line += ch
        used += w
    if line:
        lines.append(line)
    return lines


def _svg(width: float, height: float, title: str, body: list[str], desc: str = "", defs: str = "") -> Markup:
    """The picture, labelled by its title and described by its desc (ids unique per content)."""
    inner = "".join(body)
    ident = "svg-" + hashlib.sha1((title + inner).encode("utf-8")).hexdigest()[:10]
    role = "group" if "<a " in inner else "img"
    described = f' aria-describedby="{ident}-d"' if desc else ""
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" role="{role}" aria-labelledby="{ident}-t"{described} '
            f'font-family={_a(FONT)} class="chart"><title id="{ident}-t"{_lang(_ja(title))}>{_t(title)}</title>')
    if desc:
        head += f'<desc id="{ident}-d"{_lang(_ja(desc))}>{_t(desc)}</desc>'
    if defs:
        head += f"<defs>{defs.replace('{id}', ident)}</defs>"
    return Markup((head + inner).replace("url(#{id}", f"url(#{ident}") + "</svg>")


def _link(href: str | None, inner: str) -> str:
    return f"<a href={_a(href)}>{inner}</a>" if href else inner


def _lang(lang: str | None) -> str:
    """A `lang` attribute for a text whose language is known (the page's own language is inherited)."""
    return f" lang={_a(lang)}" if lang else ""


_LATIN = re.compile(r"[A-Za-z]{2}")


def _ja(text: str) -> str:
    """`ja` for a wholly Japanese text (so it is read as Japanese on any page), else ""."""
    return "ja" if text_lang(text, "en") and not _LATIN.search(text) else ""


def _txt(text: str) -> str:
    """Escaped content of a `<text>`: in a text mixing Japanese and Latin words (部局（Fukushima
    Prefecture）), each Japanese run is a `<tspan lang="ja">`."""
    if not (_LATIN.search(text) and text_lang(text, "en")):
        return _t(text)
    return "".join(f'<tspan lang="ja">{_t(p)}</tspan>' if text_lang(p, "en") else _t(p)
                   for p in JAPANESE_RUN.split(text) if p)


def _title(text: str) -> str:
    return f"<title{_lang(_ja(text))}>{_t(text)}</title>"


def _hatch(color: str, index: int) -> str:
    return (f'<pattern id="{{id}}-h{index}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<rect width="3" height="6" fill="{color}"/></pattern>')


def _fill(color_index: int, hatched: frozenset[int]) -> str:
    color = PALETTE[color_index % len(PALETTE)]
    if color_index in hatched:
        return f'url(#{{id}}-h{color_index})" stroke="{color}" stroke-width="1'
    return color


# --------------------------------------------------------------------------- bar charts

@dataclass
class Bar:
    label: str
    href: str | None
    segments: list[tuple[float, int]]   # (value, palette index)
    note: str = ""                      # text after the bar (defaults to the total)
    lang: str = ""                      # the label's language, when it may differ from the page's


@dataclass
class Chart:
    """A picture and the same numbers as table rows: (bar, the value of each series, total)."""
    svg: Markup
    title: str
    desc: str
    series: list[str]
    rows: list[tuple[Bar, list[float], float]] = field(default_factory=list)

    def __html__(self) -> str:
        return str(self.svg)


def bar_chart(title: str, bars: list[Bar], legend: list[tuple[str, int]] | None = None,
              width: int = 760, label_width: int = 230, unit: str = "", desc: str = "",
              hatched: frozenset[int] = frozenset()) -> Chart:
    """Horizontal (stacked) bars, one row per item, each label linking to its page; the series in
    `hatched` are drawn with stripes (legend too), so two series differ by more than colour."""
    row, top = 22, 30 if legend else 8
    height = top + row * max(len(bars), 1) + 26
    plot = width - label_width - 70
    total_max = max((sum(v for v, _ in b.segments) for b in bars), default=0) or 1
    body = [f'<rect width="100%" height="100%" fill="{PAPER}"/>']
    if legend:
        x = label_width
        for text, color in legend:
            body.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{_fill(color, hatched)}"/>'
                        f'<text x="{x + 16}" y="18" font-size="12" fill="{INK}"{_lang(_ja(text))}>{_txt(text)}</text>')
            x += 28 + len(text) * 12
    for tick in _ticks(total_max):
        x = label_width + plot * tick / total_max
        body.append(f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{height - 22}" stroke="{GRID}"/>'
                    f'<text x="{x:.1f}" y="{height - 8}" font-size="11" fill="{MUTED}" text-anchor="middle">'
                    f"{_t(_fmt(tick))}</text>")
    for i, b in enumerate(bars):
        y = top + i * row
        label = _clip(b.label, label_width - 12, 12.5)
        body.append(_link(b.href, f'<text x="{label_width - 8}" y="{y + 15}" font-size="12.5" fill="{INK}" '
                                  f'text-anchor="end"{_lang(b.lang or _ja(b.label))}>{_title(b.label)}{_txt(label)}'
                                  "</text>"))
        x = float(label_width)
        for value, color in b.segments:
            w = plot * value / total_max
            if w > 0:
                body.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
                            f'fill="{_fill(color, hatched)}">{_title(f"{b.label}: {_fmt(value)}{unit}")}</rect>')
            x += w
        note = b.note or _fmt(sum(v for v, _ in b.segments)) + unit
        body.append(f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="12" fill="{MUTED}"{_lang(_ja(note))}>'
                    f"{_txt(note)}</text>")
    if not bars:
        body.append(f'<text x="{label_width}" y="{top + 15}" font-size="12" fill="{MUTED}">—</text>')
    defs = "".join(_hatch(PALETTE[i % len(PALETTE)], i) for i in sorted(hatched))
    series = [text for text, _ in legend or []]
    rows = []
    for b in bars:
        values = [sum(v for v, c in b.segments if c == color) for _, color in legend or []]
        rows.append((b, values, sum(v for v, _ in b.segments)))
    return Chart(_svg(width, height, title, body, desc, defs), title, desc, series, rows)


def _ticks(maximum: float) -> list[float]:
    if maximum <= 0:
        return [0]
    import math

    raw = maximum / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    ticks, v = [], 0.0
    while v <= maximum * 1.0001:
        ticks.append(v)
        v += step
    return ticks


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@dataclass
class UnitPanel:
    unit: str
    bars: list[Bar] = field(default_factory=list)


def targets_by_unit(title: str, panels: list[UnitPanel], width: int = 760, desc: str = "") -> Chart:
    """Small multiples: one panel per unit, bars scaled within the unit (units are not comparable)."""
    label_width, row = 300, 20
    plot = width - label_width - 110
    body = [f'<rect width="100%" height="100%" fill="{PAPER}"/>']
    y = 6
    for n, panel in enumerate(panels):
        body.append(f'<text x="8" y="{y + 16}" font-size="13" font-weight="bold" fill="{INK}"'
                    f"{_lang(_ja(panel.unit))}>{_txt(panel.unit)}</text>")
        y += 24
        top = max((v for b in panel.bars for v, _ in b.segments), default=0) or 1
        for b in panel.bars:
            value = sum(v for v, _ in b.segments)
            w = plot * value / top
            label = _clip(b.label, label_width - 20, 12)
            body.append(_link(b.href, f'<text x="{label_width - 8}" y="{y + 14}" font-size="12" fill="{INK}" '
                                      f'text-anchor="end"{_lang(b.lang or _ja(b.label))}>{_title(b.label)}'
                                      f"{_txt(label)}</text>"))
            body.append(f'<rect x="{label_width}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row - 7}" '
                        f'fill="{PALETTE[n % len(PALETTE)]}">{_title(f"{b.label}: {_fmt(value)} {panel.unit}")}</rect>')
            note = b.note or _fmt(value)
            body.append(f'<text x="{label_width + w + 6:.1f}" y="{y + 14}" font-size="12" fill="{MUTED}"'
                        f"{_lang(_ja(note))}>{_txt(note)}</text>")
            y += row
        y += 8
    rows = [(b, [], sum(v for v, _ in b.segments)) for panel in panels for b in panel.bars]
    return Chart(_svg(width, max(y, 30), title, body, desc), title, desc, [], rows)


# --------------------------------------------------------------------------- roadmap timeline

@dataclass
class TimelineRow:
    label: str
    href: str | None
    lang: str = ""
    placed: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)  # year → (phase, entry href)


@dataclass
class Unplaced:
    text: str
    href: str | None
    row_label: str | None    # the row, when the source says which one; else None


def roadmap_timeline(title: str, years: list[tuple[int, str]], rows: list[TimelineRow],
                     unplaced: list[Unplaced], unplaced_title: str, unplaced_note: str,
                     row_unknown: str, desc: str = "") -> Markup:
    """Rows = policy items, columns = fiscal years; placed entries sit in their year's cell.

    Texts the source does not place on a year are listed in a dashed panel beside the grid,
    each with its row when known, so nothing unplaceable is drawn on a year.
    """
    label_w, col_w, head_h = 250, 112, 34
    grid_w = label_w + col_w * len(years)
    side_x, side_w = grid_w + 24, 300 if unplaced else 0
    width = side_x + side_w + 8 if unplaced else grid_w + 8
    row_heights = []
    for r in rows:
        most = max((len(v) for v in r.placed.values()), default=0)
        row_heights.append(max(40, 12 + 24 * most, 14 + 15 * len(_wrap(r.label, label_w - 16, 12.5, 3))))
    grid_h = head_h + sum(row_heights)
    body = [f'<rect width="100%" height="100%" fill="{PAPER}"/>']
    for i, (year, year_label) in enumerate(years):
        x = label_w + i * col_w
        body.append(f'<rect x="{x}" y="0" width="{col_w}" height="{head_h}" fill="#eef2f7" stroke="{GRID}"/>'
                    f'<text x="{x + col_w / 2}" y="15" font-size="12.5" font-weight="bold" fill="{INK}" '
                    f'text-anchor="middle"{_lang(_ja(year_label))}>{_txt(year_label)}</text>'
                    f'<text x="{x + col_w / 2}" y="29" font-size="10.5" fill="{MUTED}" text-anchor="middle">'
                    f"FY{year}</text>")
    y = head_h
    for r, h in zip(rows, row_heights, strict=False):
        body.append(f'<rect x="0" y="{y}" width="{grid_w}" height="{h}" fill="none" stroke="{GRID}"/>')
        for j, line in enumerate(_wrap(r.label, label_w - 16, 12.5, 3)):
            body.append(_link(r.href, f'<text x="8" y="{y + 17 + 15 * j}" font-size="12.5" fill="{INK}"'
                                      f"{_lang(r.lang or _ja(r.label))}>{_title(r.label)}{_txt(line)}</text>"))
        for i, (year, _) in enumerate(years):
            x = label_w + i * col_w
            body.append(f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + h}" stroke="{GRID}"/>')
            for k, (phase, href) in enumerate(r.placed.get(year, [])):
                by = y + 8 + 24 * k
                body.append(_link(href, f'<rect x="{x + 5}" y="{by}" width="{col_w - 10}" height="20" rx="4" '
                                        f'fill="{PALETTE[0]}">{_title(f"{phase} ({year_label_of(years, year)})")}'
                                        f'</rect><text x="{x + col_w / 2}" y="{by + 14}" font-size="11.5" '
                                        f'fill="#ffffff" text-anchor="middle"{_lang(_ja(phase))}>'
                                        f"{_txt(_clip(phase, col_w - 16, 11.5))}</text>"))
        y += h
    if not rows:
        body.append(f'<text x="8" y="{head_h + 22}" font-size="12" fill="{MUTED}">—</text>')
        grid_h += 40
    height = grid_h
    if unplaced:
        items = []
        for u in unplaced:
            lines = _wrap(u.text, side_w - 28, 12, 3)
            row_text = _clip(u.row_label or row_unknown, side_w - 40, 10.5)
            items.append((u, lines, row_text))
        note_lines = _wrap(unplaced_note, side_w - 20, 10.5, 4)
        panel_h = 28 + 14 * len(note_lines) + sum(18 + 15 * len(lines) for _, lines, _ in items) + 8
        body.append(f'<rect x="{side_x}" y="0" width="{side_w}" height="{panel_h}" fill="#fbf7ef" stroke="#b98a3a" '
                    f'stroke-dasharray="6 4" rx="6"/>'
                    f'<text x="{side_x + 10}" y="19" font-size="12.5" font-weight="bold" fill="#7a5312"'
                    f"{_lang(_ja(unplaced_title))}>{_txt(unplaced_title)}</text>")
        py = 34
        for line in note_lines:
            body.append(f'<text x="{side_x + 10}" y="{py}" font-size="10.5" fill="{MUTED}"{_lang(_ja(line))}>'
                        f"{_txt(line)}</text>")
            py += 14
        py += 4
        for u, lines, row_text in items:
            body.append(f'<text x="{side_x + 10}" y="{py + 10}" font-size="10.5" fill="#7a5312"'
                        f"{_lang(_ja(row_text))}>{_txt(row_text)}</text>")
            py += 14
            for line in lines:
                body.append(_link(u.href, f'<text x="{side_x + 18}" y="{py + 12}" font-size="12" fill="{INK}"'
                                          f"{_lang(_ja(line))}>{_txt(line)}</text>"))
                py += 15
            py += 4
        height = max(height, panel_h)
    return _svg(width, height + 4, title, body, desc)


def year_label_of(years: list[tuple[int, str]], year: int) -> str:
    for y, label in years:
        if y == year:
            return label
    return str(year)
