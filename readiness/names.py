"""Names that machines give themselves (host names, seat labels), as people are shown them.

A name travels from a PC's report to the dashboard, the printed site page, the CSV and the text
report; control characters and direction marks in it would reorder or hide what the page shows
(U+202E shows "EXE.1CP" for "PC1.EXE"), and a name of 100,000 characters would fill a page. One
rule for every door: at most MAX_NAME characters; nothing invisible kept.
"""

from __future__ import annotations

import unicodedata

MAX_NAME = 255  # a DNS name is at most 253; Windows' computer names are shorter still
MAX_ID = 64  # a site's or a branch's code in the exam system


def invisible(ch: str) -> bool:
    """Control, format (zero-width, direction marks), surrogate, private-use or unassigned."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def shown(name: str) -> str:
    """The name with its invisible characters taken out, trimmed."""
    return "".join(ch for ch in name if not invisible(ch)).strip()
