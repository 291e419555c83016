import codecs

import pytest

from readiness.pc.fix.inifix import UnsafeIni, set_opengl_level

BOM = codecs.BOM_UTF8

CASES = [
    ("crlf", b"[OpenGL]\r\nLevel=2\r\n", b"[OpenGL]\r\nLevel=0\r\n"),
    ("lf", b"[OpenGL]\nLevel=2\n", b"[OpenGL]\nLevel=0\n"),
    ("bom", BOM + b"[OpenGL]\r\nLevel=1\r\n", BOM + b"[OpenGL]\r\nLevel=0\r\n"),
    ("spaces", b"[OpenGL]\r\n  Level = 2   ; set by vendor\r\n", b"[OpenGL]\r\n  Level = 0   ; set by vendor\r\n"),
    ("quoted", b"[OpenGL]\nLevel=\"2\"\n", b"[OpenGL]\nLevel=\"0\"\n"),
    ("gbk comments",
     "; 考试客户端\r\n[OpenGL]\r\nLevel=2\r\n; 白屏改为0\r\n[Net]\r\nHost=a\r\n".encode("gbk"),
     "; 考试客户端\r\n[OpenGL]\r\nLevel=0\r\n; 白屏改为0\r\n[Net]\r\nHost=a\r\n".encode("gbk")),
    ("lowercase", b"[opengl]\nlevel=1\n", b"[opengl]\nlevel=0\n"),
    ("other keys around", b"[OpenGL]\nDriver=d3d\nLevel=3\nDebug=1\n", b"[OpenGL]\nDriver=d3d\nLevel=0\nDebug=1\n"),
    ("empty value", b"[OpenGL]\nLevel=\n", b"[OpenGL]\nLevel=0\n"),
    ("duplicates: the one that counts", b"[OpenGL]\nLevel=0\nLevel=2\n", b"[OpenGL]\nLevel=0\nLevel=0\n"),
    ("general form", b"[General]\nOpenGL\\Level=1\n", b"[General]\nOpenGL\\Level=0\n"),
    ("section without key", b"[OpenGL]\r\nDriver=d3d\r\n[Net]\r\nHost=a\r\n",
     b"[OpenGL]\r\nLevel=0\r\nDriver=d3d\r\n[Net]\r\nHost=a\r\n"),
    ("section header at the end", b"[Net]\nHost=a\n[OpenGL]", b"[Net]\nHost=a\n[OpenGL]\nLevel=0\n"),
    ("no section", b"[Net]\r\nHost=a\r\n", b"[Net]\r\nHost=a\r\n[OpenGL]\r\nLevel=0\r\n"),
    ("no section, no final newline", b"[Net]\nHost=a", b"[Net]\nHost=a\n[OpenGL]\nLevel=0\n"),
    ("no section, bom", BOM + "; 注释\r\n".encode(), BOM + "; 注释\r\n[OpenGL]\r\nLevel=0\r\n".encode()),
    ("empty file", b"", b"[OpenGL]\r\nLevel=0\r\n"),
]


@pytest.mark.parametrize("name,before,after", CASES, ids=[c[0] for c in CASES])
def test_byte_exact_edit(name, before, after):
    assert set_opengl_level(before) == after
    assert set_opengl_level(after) is None  # a second run changes nothing


@pytest.mark.parametrize("raw", [b"[OpenGL]\nLevel=0\n", BOM + b"[opengl]\r\nLEVEL = 0\r\n"])
def test_already_zero_is_a_no_op(raw):
    assert set_opengl_level(raw) is None


@pytest.mark.parametrize("raw,words", [
    (codecs.BOM_UTF16_LE + "[OpenGL]\r\nLevel=2\r\n".encode("utf-16-le"), "UTF-16"),
    (b"\x00\x01binary", "NUL"),
    (b"\x81\xff\x81\xff", "neither"),
])
def test_refuses_what_it_cannot_edit_safely(raw, words):
    with pytest.raises(UnsafeIni, match=words):
        set_opengl_level(raw)
