"""Versions compared as numbers, never as text: the exam client's ("1.2.1-0" = "1.2.1.0" <
"1.10.0-0") and readiness's own ("0.10.0" > "0.9.0"), the one a document says wrote it."""

from __future__ import annotations

import re
from typing import Any, Mapping

from readiness.core.i18n import Text

_VERSION_RE = re.compile(r"^\s*[vV]?\s*(\d+(?:\s*[.\-_,]\s*\d+)*)\s*$")
MAX_VERSION_CHARS = 64  # "2.4.4.24", "10.0.19045.3803": longer is no version
MAX_COMPONENT_DIGITS = 9  # a build number of 10 digits is a made-up one (and 5,000 digits cannot be converted)


def parse_version(text: str) -> tuple[int, ...] | None:
    """Numeric parts of a version, or None when it is not one (never a guess); absurdly long text
    or components are not versions."""
    if not isinstance(text, str) or len(text.strip()) > MAX_VERSION_CHARS:
        return None
    m = _VERSION_RE.match(text)
    if not m:
        return None
    parts = re.split(r"\s*[.\-_,]\s*", m.group(1))
    if any(len(p) > MAX_COMPONENT_DIGITS for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _padded(v: tuple[int, ...], n: int) -> tuple[int, ...]:
    return v + (0,) * (n - len(v))


def compare_versions(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    n = max(len(a), len(b))
    pa, pb = _padded(a, n), _padded(b, n)
    return (pa > pb) - (pa < pb)


# -- readiness's own versions ------------------------------------------------------------------

FIRST_RELEASE = "0.1.0"  # nothing came before it: a check of the first release never skips for age


def tool_version(doc: Any) -> str | None:
    """The readiness version that wrote a document (its `tool.version`), as written; None when it
    has none or what it has is no version (garbage, a 5,000-character string, a number, NaN)."""
    tool = doc.get("tool") if isinstance(doc, Mapping) else None
    version = tool.get("version") if isinstance(tool, Mapping) else None
    return version.strip() if isinstance(version, str) and parse_version(version) is not None else None


def predates(version: str | None, since: str) -> bool:
    """Whether a readiness of `version` came before one of `since` (a check's): no version at all
    counts as older, except for a check of the first release, which every readiness has."""
    came_in = parse_version(since)
    if came_in is None or compare_versions(came_in, parse_version(FIRST_RELEASE) or ()) <= 0:
        return False
    wrote = parse_version(version) if version is not None else None
    return wrote is None or compare_versions(wrote, came_in) < 0


UPDATE_WHO = {"site": Text("the site server", "考点服务器"), "branch": Text("the branch server", "分部服务器"),
              "tool": Text("exam-readiness", "exam-readiness")}


def newer_major(schema: str, reads: str, doc: Any, who: str) -> Text:
    """The refusal of a document of a new major schema (readiness.report/2 where this reads /1),
    with the update advice: the version that wrote it, when it says one, reads it."""
    version = tool_version(doc)
    later = (Text(f"readiness {version} or later", f"readiness {version} 或更新版本") if version
             else Text("the version that wrote it or later", "写出该文档的版本或更新版本"))
    if who == "tool":
        return Text(f"{schema} is newer than this readiness reads ({reads}): update exam-readiness ({later.en})",
                    f"{schema} 比本程序能读取的版本（{reads}）新：请更新 exam-readiness（{later.zh}）")
    server = UPDATE_WHO[who]
    return Text(f"this server reads {reads}: update {server.en} ({later.en})",
                f"本服务器只能读取 {reads}：请更新{server.zh}（{later.zh}）")
