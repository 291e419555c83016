"""Bilingual text: every verdict and remedy is carried in Chinese and English.

Reports keep both languages so that a branch can read a site's reports in either; only the
terminal rendering picks one.
"""

from __future__ import annotations

import locale
import os
import sys
from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping


class Lang(str, Enum):
    EN = "en"
    ZH = "zh"


@dataclass(frozen=True)
class Text:
    """A message in English and Chinese."""

    en: str
    zh: str

    def __call__(self, lang: Lang | str) -> str:
        return self.zh if Lang(lang) is Lang.ZH else self.en

    def to_dict(self) -> dict[str, str]:
        return {"en": self.en, "zh": self.zh}

    @classmethod
    def from_json(cls, value: Any) -> "Text":
        """Read a text back from a report; a plain string stands for both languages."""
        if isinstance(value, str):
            return cls(value, value)
        if isinstance(value, Mapping):
            en, zh = value.get("en"), value.get("zh")
            en = en if isinstance(en, str) else (zh if isinstance(zh, str) else "")
            zh = zh if isinstance(zh, str) else en
            return cls(en, zh)
        return cls("", "")

    def __add__(self, other: "Text") -> "Text":
        return Text(self.en + other.en, self.zh + other.zh)


class TextError(Exception):
    """The one root of the tool's own errors: the reason is worded in both languages where it is
    raised (str(): English). Refusals to a request (core.refusals), profile, snapshot, font, ini
    and network failures all derive from it; nothing reads an error's words back."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason.en)
        self.reason = reason


# What this tool's collectors wrote as raw English before each failure carried its reason {en, zh}:
# in a snapshot saved by those versions, these words of our own are said in Chinese (the raw text
# stays as the English); anything else is shown as it is in both languages.
FORMER_WORDS = (
    ("too little to measure", "服务器发送的数据太少，无法测量"),
    ("not a font file", "不是字体文件（无法读取其字体表）"),
    ("no readable name table", "字体名称表无法读取"),
    ("the name could not be resolved", "域名无法解析（DNS）"),
    ("certificate not accepted", "TLS 证书未被接受"),
    ("the server stopped sending", "服务器停止发送数据（读取超时）"),
    ("the body ended early", "传输提前中断（连接被关闭）"),
    ("too many redirects", "重定向次数过多"),
    ("answered an html page", "服务器返回的是网页而不是文件（可能是登录页）"),
    ("often blocked", "speedtest.net 拒绝提供配置（HTTP 403）：该服务常被屏蔽"),
    ("connection refused", "连接被拒绝（该地址没有服务，或被防火墙拦截）"),
    ("timed out", "连接超时"),
    ("unreachable", "网络不可达（无路由）"),
    ("cannot connect", "无法连接"),
)


def former(raw: str) -> Text:
    """A raw text from an older snapshot (no reason beside it): the tool's own former words said in
    Chinese, an HTTP status kept; any other text as it is in both languages."""
    import re

    status = re.search(r"\bHTTP (\d{3})\b", raw)
    if status and raw.startswith(("the server answered HTTP", "HTTP ")):
        return Text(raw, f"服务器返回 HTTP {status.group(1)}")
    low = raw.lower()
    meaning = next((zh for en, zh in FORMER_WORDS if en in low), None)
    return Text(raw, meaning) if meaning is not None else Text(raw, raw)


def same(text: str) -> Text:
    """A text that reads the same in both languages (numbers, paths, versions)."""
    return Text(text, text)


def join(parts: "list[Text]", sep_en: str = "; ", sep_zh: str = "；") -> Text:
    return Text(sep_en.join(p.en for p in parts), sep_zh.join(p.zh for p in parts))


def _windows_ui_is_chinese() -> bool | None:
    if sys.platform != "win32":
        return None
    from readiness.core import win32

    try:
        return win32.ui_is_chinese()
    except (AttributeError, OSError):
        return None


def detect_lang(stream_encoding: str | None = None, environ: Mapping[str, str] | None = None) -> Lang:
    """Chinese on a Chinese system whose console can show Chinese, else English.

    An ASCII-only console gets English: Chinese there would print as question marks.
    """
    env = os.environ if environ is None else environ
    chosen = env.get("READINESS_LANG", "").strip().lower()
    if chosen in ("en", "zh"):
        return Lang(chosen)
    zh = _windows_ui_is_chinese() if environ is None else None
    if zh is None:
        names = [env.get(k, "") for k in ("LC_ALL", "LC_MESSAGES", "LANG")]
        if environ is None:
            try:
                names.append(locale.getlocale()[0] or "")
            except ValueError:
                pass
        zh = any(n.lower().startswith(("zh", "chinese")) for n in names if n)
    if zh and stream_encoding and not can_show_chinese(stream_encoding):
        return Lang.EN
    return Lang.ZH if zh else Lang.EN


def can_show_chinese(encoding: str) -> bool:
    try:
        "中文考点".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
