"""Console streams: JSON away from a console is UTF-8 bytes; text gets stand-ins, never '?'."""

import io

from readiness.pc.console import TEXT_ERRORS, json_writer, prepare


class Tty(io.TextIOWrapper):
    def isatty(self):
        return True


def test_json_to_a_pipe_or_file_is_utf8_whatever_the_stream_encoding():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="gbk")  # a Chinese Windows' redirected stdout
    stream.write("x")  # text written before is flushed first, in order
    json_writer(stream)('{"名": "✓ ≥"}')
    stream.flush()
    assert raw.getvalue() == b"x" + '{"名": "✓ ≥"}'.encode("utf-8")


def test_json_to_a_console_stays_text_with_escapes_for_what_it_lacks():
    raw = io.BytesIO()
    stream = Tty(raw, encoding="ascii")
    json_writer(stream)('{"名": 1}')
    stream.flush()
    assert raw.getvalue() == b'{"\\u540d": 1}'


def test_symbols_gbk_lacks_get_ascii_stand_ins():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="gbk")
    prepare(stream, TEXT_ERRORS)
    stream.write("✓ 通过 ✗ ≥ 8 GiB")
    stream.flush()
    assert raw.getvalue().decode("gbk") == "OK 通过 X ≥ 8 GiB"  # GBK has ≥ itself, not ✓ ✗
    ascii_raw = io.BytesIO()
    ascii_stream = io.TextIOWrapper(ascii_raw, encoding="ascii")
    prepare(ascii_stream, TEXT_ERRORS)
    ascii_stream.write("✓ ≥ 8 GiB")
    ascii_stream.flush()
    assert ascii_raw.getvalue() == b"OK >= 8 GiB"
