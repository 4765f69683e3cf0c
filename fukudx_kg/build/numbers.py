"""Numbers as Japanese documents print them, expanded to exact decimals."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_MULTIPLIERS = {"万": Decimal(10_000), "億": Decimal(100_000_000), "千": Decimal(1_000)}
_NUMBER = re.compile(r"^(?P<digits>[0-9][0-9,]*(?:\.[0-9]+)?)(?P<mult>[万億千]?)$")


def parse_number(printed: str) -> Decimal:
    """`110万` → 1100000, `35,646` → 35646, `６１．０` → 61.0.

    Raises ValueError naming the text when it is not a plain printed number,
    so a curation slip stops the build instead of becoming a wrong target.
    """
    text = unicodedata.normalize("NFKC", printed).strip()
    match = _NUMBER.match(text)
    if not match:
        raise ValueError(f"not a printed number: {printed!r}")
    digits = match.group("digits")
    if "," in digits and not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", digits):
        raise ValueError(f"misplaced thousands separator in {printed!r}")
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guarantees digits
        raise ValueError(f"not a printed number: {printed!r}") from exc
    mult = match.group("mult")
    if mult:
        value *= _MULTIPLIERS[mult]
    return value


def decimal_lexical(value: Decimal) -> str:
    """Canonical xsd:decimal lexical form (no exponent, at least one fraction digit dropped)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
