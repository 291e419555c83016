"""Whatever user.ini looks like, the fix changes at most the one line that matters (or adds the
key or section), reads back as Level=0, and a second fix changes nothing."""

from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.pc import userini
from readiness.pc.fix.inifix import UnsafeIni, set_opengl_level

WORDS = st.sampled_from(["[OpenGL]", "[opengl]", "[General]", "[Net]", "Level=1", "level = 2", "LEVEL=0",
                         "Level=\"3\"", "Level=2 ; 白屏", "; 注释", "# comment", "Driver=d3d", "OpenGL\\Level=4",
                         "", "   ", "Host = exam.example", "[OpenGL", "noequals", "键=值"])
LINES = st.lists(WORDS, max_size=12)


@settings(max_examples=300, deadline=None)
@given(LINES, st.sampled_from(["\r\n", "\n"]), st.booleans(), st.sampled_from(["utf-8", "gbk"]), st.booleans())
def test_edit_is_minimal_and_effective(lines, nl, bom, encoding, final_newline):
    text = nl.join(lines) + (nl if final_newline and lines else "")
    raw = (b"\xef\xbb\xbf" if bom and encoding == "utf-8" else b"") + text.encode(encoding)
    try:
        after = set_opengl_level(raw)
    except UnsafeIni:
        return
    decoded = userini.decode(raw)
    if after is None:
        assert userini.parse(decoded.text).find("OpenGL", "Level").value == "0"
        return
    assert after.startswith(decoded.bom)
    new = userini.decode(after)
    assert new.encoding == decoded.encoding
    assert userini.parse(new.text).find("OpenGL", "Level").value == "0"
    assert set_opengl_level(after) is None
    old_lines, new_lines = decoded.text.splitlines(), new.text.splitlines()
    before, after_ = _opengl_sections(decoded.text), _opengl_sections(new.text)
    if _one_line_changed(old_lines, new_lines):
        assert after_ == before
    else:
        added = _inserted(old_lines, new_lines)
        assert added in (["Level=0"], ["[OpenGL]", "Level=0"]), added
        # a new [OpenGL] section only where none was, in any case: never a second one beside [opengl]
        assert (before, after_) == ((0, 1) if len(added) == 2 else (before, before))


def _opengl_sections(text: str) -> int:
    """[OpenGL] headers as the client reads them (QSettings: without case)."""
    return sum(name.lower() == "opengl" for name, _ in userini.parse(text).sections)


def _one_line_changed(old: list[str], new: list[str]) -> bool:
    return len(old) == len(new) and sum(a != b for a, b in zip(old, new)) == 1


def _inserted(old: list[str], new: list[str]) -> list[str] | None:
    """The run of lines inserted at one place to make new from old, or None."""
    k = len(new) - len(old)
    if k <= 0:
        return None
    for i in range(len(new) - k + 1):
        if new[:i] + new[i + k:] == old:
            return new[i:i + k]
    return None
