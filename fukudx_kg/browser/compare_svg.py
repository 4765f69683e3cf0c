"""The plan timeline of the comparison pages: one bar per plan from its first to its last fiscal year
on one year axis shared by every prefecture, grouped by prefecture.

Plain server-side SVG like the other pictures (charts): no script, every text escaped. A bound the
source does not give is never guessed: the bar runs on to the edge of the axis with a dashed
outline, a pale fill and a text marker (開始年度不明 / 終了年度不明 / 期間不明), so it reads without
colour. Each bar is a `<g class="plan">` with its own `<title>`; its link is named by the same text.
The picture is a labelled `group` (its links stay reachable by keyboard), Japanese names on an
English page carry `lang="ja"`, and the page repeats the data as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from fukudx_kg.browser.charts import FONT, GRID, INK, MUTED, PALETTE, PAPER, _a, _clip, _ja, _lang, _t, _title, _txt

FALLBACK_YEARS = (2020, 2030)   # the axis when no plan states any year


@dataclass
class PlanBar:
    iri: str
    title: str
    href: str | None
    first: int | None
    last: int | None
    completeness: str       # the level's label, in the UI language


@dataclass
class PlanGroup:
    code: str
    label: str
    completeness: str
    plans: list[PlanBar] = field(default_factory=list)


@dataclass
class Words:
    """The texts of the picture, in the UI language."""
    title: str
    desc: str
    unknown_start: str
    unknown_end: str
    unknown_period: str
    fy: str          # "{year}年度" / "FY{year}"


def year_range(groups: list[PlanGroup]) -> tuple[int, int]:
    years = [y for g in groups for p in g.plans for y in (p.first, p.last) if y is not None]
    return (min(years), max(years)) if years else FALLBACK_YEARS


def plans_timeline(groups: list[PlanGroup], words: Words, width: int = 980, label_width: int = 330) -> Markup:
    first_year, last_year = year_range(groups)
    n_years = last_year - first_year + 1
    x0, x1 = label_width + 10, width - 16
    step = (x1 - x0) / n_years
    top, row, head = 34, 24, 26
    height = top + sum(head + row * max(len(g.plans), 1) for g in groups) + 12

    def x(year: int) -> float:
        return x0 + (year - first_year) * step

    body = [f'<desc id="plans-timeline-desc">{_t(words.desc)}</desc>',
            f'<rect width="100%" height="100%" fill="{PAPER}"/>']
    every = max(1, round(n_years / 12))   # label at most about 12 years
    for year in range(first_year, last_year + 1):
        body.append(f'<line x1="{x(year):.1f}" y1="{top - 6}" x2="{x(year):.1f}" y2="{height - 8}" stroke="{GRID}"/>')
        if (year - first_year) % every == 0:
            body.append(f'<text class="year" x="{x(year) + step / 2:.1f}" y="{top - 12}" font-size="11" '
                        f'fill="{MUTED}" text-anchor="middle">{_t(words.fy.format(year=year))}</text>')
    body.append(f'<line x1="{x1:.1f}" y1="{top - 6}" x2="{x1:.1f}" y2="{height - 8}" stroke="{GRID}"/>')
    y = top
    for gi, group in enumerate(groups):
        heading = f"{group.label}（{group.code}）· {group.completeness}"
        body.append(f'<g class="prefecture" data-code={_a(group.code)}><text x="8" y="{y + 17}" font-size="13" '
                    f'font-weight="700" fill="{INK}"{_lang(_ja(heading))}>'
                    f"{_txt(_clip(heading, width - 24, 13))}</text></g>")
        y += head
        color = PALETTE[gi % len(PALETTE)]
        for plan in group.plans:
            body.append(_bar(plan, group, words, y, row, x, x0, x1, color, label_width))
            y += row
        if not group.plans:
            y += row
    title_id = "plans-timeline-title"
    head_svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
                f'height="{height}" role="group" aria-labelledby="{title_id}" aria-describedby="plans-timeline-desc" '
                f'font-family={_a(FONT)} class="chart plans-timeline">'
                f'<title id="{title_id}">{_t(words.title)}</title>')
    return Markup(head_svg + "".join(body) + "</svg>")


def _bar(plan: PlanBar, group: PlanGroup, words: Words, y: float, row: int, x, x0: float, x1: float,
         color: str, label_width: int) -> str:
    known = plan.first is not None and plan.last is not None
    if known:
        left, right, marker, kind = x(plan.first), x(plan.last + 1), "", "known"
    elif plan.first is not None:
        left, right, marker, kind = x(plan.first), x1, words.unknown_end, "open-end"
    elif plan.last is not None:
        left, right, marker, kind = x0, x(plan.last + 1), words.unknown_start, "open-start"
    else:
        left, right, marker, kind = x0, x1, words.unknown_period, "unknown"
    span = f"{words.fy.format(year=plan.first) if plan.first is not None else '?'}–" \
           f"{words.fy.format(year=plan.last) if plan.last is not None else '?'}"
    tip = f"{plan.title}（{group.label}）{span}{'（' + marker + '）' if marker else ''} · {plan.completeness}"
    label = _clip(plan.title, label_width - 24, 12)
    parts = [f'<g class="plan" data-plan={_a(plan.iri)} data-kind="{kind}" '
             f'data-first="{plan.first if plan.first is not None else ""}" '
             f'data-last="{plan.last if plan.last is not None else ""}">{_title(tip)}',
             f'<text x="{label_width}" y="{y + 16}" font-size="12" fill="{INK}" text-anchor="end"'
             f'{_lang(_ja(label))}>{_txt(label)}</text>']
    if known:
        shape = (f'<rect class="bar" x="{left:.1f}" y="{y + 4}" width="{max(right - left, 2):.1f}" '
                 f'height="{row - 8}" rx="3" fill="{color}"/>')
    else:
        shape = (f'<rect class="bar open" x="{left:.1f}" y="{y + 4}" width="{max(right - left, 2):.1f}" '
                 f'height="{row - 8}" rx="3" fill="{color}" fill-opacity="0.18" stroke="{color}" '
                 f'stroke-width="1.5" stroke-dasharray="5 3"/>')
    parts.append(f"<a href={_a(plan.href)} aria-label={_a(tip)}{_lang(_ja(tip))}>{shape}</a>"
                 if plan.href else shape)
    for edge in ([left] if kind == "open-end" else [right] if kind == "open-start" else []):
        parts.append(f'<line x1="{edge:.1f}" y1="{y + 3}" x2="{edge:.1f}" y2="{y + row - 3}" stroke="{color}" '
                     'stroke-width="3"/>')   # the bound the source gives, drawn solid
    if marker:
        if kind == "open-start":
            tx, anchor, text = left + 6, "start", f"？← {marker}"
        elif kind == "open-end":
            tx, anchor, text = right - 6, "end", f"{marker} →？"
        else:
            tx, anchor, text = (left + right) / 2, "middle", f"？ {marker} ？"
        parts.append(f'<text class="marker" x="{tx:.1f}" y="{y + 16}" font-size="11" fill="{INK}" '
                     f'text-anchor="{anchor}"{_lang(_ja(text))}>{_txt(text)}</text>')
    parts.append("</g>")
    return "".join(parts)
