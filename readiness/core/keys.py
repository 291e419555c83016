"""The one rule for a secret that travels (submit and phone tokens, the manager's key, a branch's
site tokens): it goes in HTTP headers, cookies and addresses, so only characters that need no
escaping there, and long enough not to be guessed."""

from __future__ import annotations

import re

from readiness.core.i18n import Text

MIN_KEY_LEN = 8
MAX_KEY_LEN = 200
KEY_PATTERN = re.compile(r"[A-Za-z0-9._~+/=-]{%d,%d}" % (MIN_KEY_LEN, MAX_KEY_LEN))


def key_problem(value: str) -> Text | None:
    """None for a usable secret; else why not, in both languages."""
    if KEY_PATTERN.fullmatch(value):
        return None
    return Text(f"{MIN_KEY_LEN} to {MAX_KEY_LEN} letters, digits or - _ . ~ + / = (it travels in HTTP headers, "
                f"cookies and addresses)",
                f"须为 {MIN_KEY_LEN} 至 {MAX_KEY_LEN} 个英文字母、数字或 - _ . ~ + / =（用于 HTTP 请求头、Cookie 和网址）")
