"""Shared test data: a ready PC's snapshot to vary, and builders for real font files."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PE_FIXTURES = ROOT / "tests" / "fixtures" / "pe"


def under_wine() -> bool:
    """Windows' own Python, but in Wine (the Windows lane)."""
    if os.name != "nt":
        return False
    import ctypes

    return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")


def ready_facts() -> dict[str, Any]:
    return copy.deepcopy(json.loads((EXAMPLES / "ready-pc.json").read_text(encoding="utf-8")))


def with_facts(changes: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ready snapshot with dotted paths replaced; the value DELETE removes the key."""
    facts = base if base is not None else ready_facts()
    for path, value in changes.items():
        node = facts
        *parents, last = path.split(".")
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if value is DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return facts


DELETE = object()


def make_font(family: str, style: str = "Regular", chinese: str | None = None) -> Any:
    """A minimal but real TrueType font whose name table carries the given family."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef"])
    fb.setupCharacterMap({})
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph()})
    fb.setupHorizontalMetrics({".notdef": (500, 0)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    names: dict[str, Any] = {"familyName": family, "styleName": style}
    if chinese:
        names = {"familyName": {"en": family, "zh-CN": chinese}, "styleName": style}
    fb.setupNameTable(names)
    fb.setupOS2()
    fb.setupPost()
    return fb.font


def write_ttf(path: Path, family: str, **kw: Any) -> Path:
    make_font(family, **kw).save(str(path))
    return path


def write_ttc(path: Path, families: list[str]) -> Path:
    from fontTools.ttLib.ttCollection import TTCollection

    coll = TTCollection()
    coll.fonts = [make_font(f) for f in families]
    coll.save(str(path))
    return path
