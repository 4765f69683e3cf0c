"""Official Japanese code rules (全国地方公共団体コード check digit)."""

from __future__ import annotations


def lg_check_digit(code5: str) -> str:
    """Check digit of a 5-digit code: last digit of 11 − (6a+5b+4c+3d+2e mod 11) (総務省 rule)."""
    if len(code5) != 5 or not code5.isdigit():
        raise ValueError(f"not a 5-digit code: {code5!r}")
    s = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=False))
    return str((11 - s % 11) % 10)


def valid_lg_code(code6: str) -> bool:
    return len(code6) == 6 and code6.isdigit() and lg_check_digit(code6[:5]) == code6[5]
