import codecs

import pytest

from readiness.pc import userini

LEVEL_CASES = [
    # (file bytes, expected OpenGL/Level, expected encoding)
    (b"[OpenGL]\r\nLevel=0\r\n", "0", "utf-8"),
    (codecs.BOM_UTF8 + b"[OpenGL]\r\nLevel=0\r\n", "0", "utf-8-sig"),
    (b"[OpenGL]\nLevel = 0\n", "0", "utf-8"),
    (b"[opengl]\nlevel=1\n", "1", "utf-8"),
    (b"[OPENGL]\r\nLEVEL=2\r\n", "2", "utf-8"),
    ("; 考试客户端配置\r\n[OpenGL]\r\nLevel=0 ; 白屏时改为0\r\n".encode("gbk"), "0", "gbk"),
    ("# 注释\n[OpenGL]\nLevel=\"0\"\n".encode("utf-8"), "0", "utf-8"),
    (b"[General]\nOpenGL\\Level=0\n", "0", "utf-8"),
    (b"OpenGL\\Level=0\n", "0", "utf-8"),
    (b"[OpenGL]\nLevel=1\nLevel=0\n", "0", "utf-8"),  # the last duplicate wins, as in QSettings
    (b"[OpenGL]\nDriver=desktop\nLevel=3\n[Other]\nLevel=0\n", "3", "utf-8"),
    (b"[Other]\nLevel=0\n", None, "utf-8"),
    (b"[OpenGL]\nLevel\n", None, "utf-8"),
    (b"", None, "utf-8"),
    (b"   \r\n", None, "utf-8"),
    (b"[OpenGL\nLevel=0\n", "0", "utf-8"),  # an unclosed header still names the section
    (codecs.BOM_UTF16_LE + "[OpenGL]\r\nLevel=0\r\n".encode("utf-16-le"), "0", "utf-16"),
    (b"[Open%47L]\nLevel=0\n", "0", "utf-8"),  # Qt's %XX escapes in names
]


@pytest.mark.parametrize("raw,level,encoding", LEVEL_CASES)
def test_reads_level_like_qsettings(raw, level, encoding):
    decoded = userini.decode(raw)
    assert decoded.encoding == encoding
    entry = userini.parse(decoded.text).find("OpenGL", "Level")
    assert (entry.value if entry else None) == level


@pytest.mark.parametrize("raw,words", [
    (b"\x00\x01\x02\x03binary\x00", "NUL"),
    (bytes(range(1, 32)) * 10, "control characters"),
    (b"x" * (userini.MAX_INI_BYTES + 1), "larger"),
    (codecs.BOM_UTF8 + b"\xff\xfe\xfd", "not utf-8"),
    (b"\x81\xff\x81\xff", "neither"),
])
def test_refuses_what_is_not_a_settings_file(raw, words):
    with pytest.raises(userini.IniError, match=f"(?i){words}"):
        userini.decode(raw)


def test_keeps_line_endings_and_positions():
    text = "; c\r\n[OpenGL]\r\nLevel=1\r\n"
    doc = userini.parse(text)
    assert "".join(doc.lines) == text
    assert doc.find("opengl", "LEVEL").line == 2
    assert userini.decode(text.encode()).newline == "\r\n"
    assert userini.decode(b"a=1\nb=2\n").newline == "\n"
