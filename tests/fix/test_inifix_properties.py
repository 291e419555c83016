"""Whatever user.ini looks like, the fix changes at most the one line that matters (or adds the
key or section), reads back as Level=0, and a second fix changes nothing."""

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from readiness import userini
from readiness.fix.inifix import UnsafeIni, set_opengl_level

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
    ops = [op for op in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes() if op[0] != "equal"]
    removed = sum(i2 - i1 for _, i1, i2, _, _ in ops)
    added = sum(j2 - j1 for _, _, _, j1, j2 in ops)
    assert removed <= 1 and added <= 2  # one line changed, or the key (and maybe its section) added
