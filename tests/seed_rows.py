"""An independent reading of the initiatives-list seed: where department blocks (rows) start.

Deliberately written from the seed text alone, without the curated YAML, so a test can
compare the two and prove that every printed row became data.
"""

from __future__ import annotations

import re

TOP_UNIT = re.compile(r"(?:^|\s)([^\s、。]+(?:部|庁|本部|事務局|局))$")
SUB_UNIT = re.compile(r"^[^\s、。]+(?:課|室|局)$")


def department_block_starts(lines: list[str]) -> list[int]:
    """1-based lines where a department block (部/庁 line followed by its 局/課/室) begins."""
    starts: list[int] = []
    in_block = False
    for i, raw in enumerate(lines):
        text = raw.strip()
        following = [line.strip() for line in lines[i + 1:i + 3]]
        nxt = following[0] if following else ""
        wrapped = "".join(following)
        is_top = bool(TOP_UNIT.search(text)) and (bool(SUB_UNIT.match(nxt)) or
                                                  (bool(nxt) and wrapped.endswith(("課", "室"))
                                                   and len(wrapped) <= 20))
        if is_top:
            if not in_block:
                starts.append(i + 1)
            in_block = True
        elif not text:
            in_block = False
        else:
            in_block = in_block and bool(SUB_UNIT.match(text) or len(text) <= 10)
    return starts
