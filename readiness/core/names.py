"""Names that machines give themselves (host names, seat labels), as people are shown them.

A name travels from a PC's report to the dashboard, the printed site page, the CSV and the text
report; control characters and direction marks in it would reorder or hide what the page shows
(U+202E shows "EXE.1CP" for "PC1.EXE"), and a name of 100,000 characters would fill a page. One
rule for every door: at most MAX_NAME characters; nothing invisible kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import unicodedata

if TYPE_CHECKING:
    from readiness.core.i18n import Text

MAX_NAME = 255  # a DNS name is at most 253; Windows' computer names are shorter still
MAX_ID = 64  # a site's or a branch's code in the exam system


def invisible(ch: str) -> bool:
    """Control, format (zero-width, direction marks), surrogate, private-use or unassigned."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def shown(name: str) -> str:
    """The name with its invisible characters taken out, trimmed."""
    if name.isprintable():  # the common case, in C: isprintable() is False for every invisible category
        return name.strip()
    return "".join(ch for ch in name if not invisible(ch)).strip()


def cut(text: str, most: int) -> str:
    """Text from a sender (a finding, a deadline's title) as people are shown it: the names' rule
    (nothing invisible kept), then at most `most` characters, the cut said by an ellipsis. Only the
    first 4 * most characters are looked at: a sender's 100,000 characters cost no more than 4 * most."""
    clean = shown(text[:4 * most])
    if len(text) > 4 * most and len(clean) <= most:
        clean += "…"  # what was not looked at is cut all the same
    return clean if len(clean) <= most else clean[:most - 1].rstrip() + "…"


def id_problem(value: object) -> "Text | None":
    """The one rule for a site's or a branch's code wherever it enters (a profile's [site] id,
    [branch] id and [branch.sites] keys, a sender's document): 1 to MAX_ID characters, nothing
    invisible, no spaces around it."""
    from readiness.core.i18n import Text

    if not isinstance(value, str) or not value or len(value) > MAX_ID or value != value.strip() \
            or any(invisible(ch) for ch in value):
        shown_value = repr(value)[:80]
        return Text(f"{shown_value}: a site or branch code is 1 to {MAX_ID} visible characters without spaces "
                    f"around them", f"{shown_value}：考点或分部编号须为 1 至 {MAX_ID} 个可见字符，首尾无空格")
    return None
