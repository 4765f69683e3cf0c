"""Numbers as Japanese readers expect them: 3桁区切り everywhere, and 万/億 on Japanese pages where
the source itself printed the number with them (110万, 8万6158, 37億), the exact number kept for the
title attribute. A number the source printed plainly is never rewritten into 万."""

from __future__ import annotations

import re

_UNITS = re.compile(r"[万億]")


def grouped(value) -> str:
    """`1100000` → `1,100,000`, `12.50` → `12.5`; text that is not a number is returned as it is."""
    if not value and value != 0:   # None, "" or a missing template value
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.4f}".rstrip("0").rstrip(".")


def japanese(value: float | None, printed: str | None) -> str | None:
    """The number in 万/億 when `printed` uses them (and the number is whole), else None."""
    if value is None or not printed or not _UNITS.search(printed) or value != int(value) or value < 10_000:
        return None
    rest = int(value)
    parts = []
    if "億" in printed and rest >= 100_000_000:
        parts.append(f"{rest // 100_000_000:,}億")
        rest %= 100_000_000
    if rest >= 10_000:
        parts.append(f"{rest // 10_000:,}万")
        rest %= 10_000
    if rest:
        parts.append(f"{rest:,}")
    return "".join(parts)
