"""The facts snapshot: its schema, loading a saved one, and typed access for the checks.

A snapshot is a contract other tools read. An unknown value is null with its reason in
``errors`` (keyed by the dotted path), never a guess. A section left out on purpose (the network
under ``--offline``) is named in ``not_collected``, which turns its checks into skips.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Callable, Mapping

from readiness.core.i18n import Text, TextError, same

FACTS_SCHEMA = "readiness.facts/1"
FACTS_SCHEMA_NAME, FACTS_SCHEMA_VERSION = "readiness.facts", 1
MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024

def as_text(reason: "str | Text") -> Text:
    """A reason as both languages: the tool's own wording is already a Text; a raw text (an OS or
    library message, an older snapshot's string) reads the same in both."""
    return reason if isinstance(reason, Text) else Text(reason, reason)


class FactUnavailable(TextError):
    """A fact a check needs is unknown or malformed: the check could not decide (error).

    The reason is worded in both languages where it is raised; a plain string (a plugin's, or a
    raw error text) is shown as it is in both. str(): "path: reason". absent: the fact's key is not
    in the snapshot at all (not a null with its reason): facts written by a readiness that did not
    collect it yet, or a damaged file; the judge tells the two apart by the collector's version
    (core/judging.py)."""

    def __init__(self, path: str, reason: "str | Text", absent: bool = False) -> None:
        super().__init__(as_text(reason))
        self.path = path
        self.absent = absent
        self.args = (f"{path}: {self.reason.en}",)


SKIPPABLE_SECTIONS = frozenset({"network"})  # may be left out on purpose (--offline); hardware may not


# The names of facts as a Chinese technician reads them; the dotted path stays beside the name.
FACT_NAMES_ZH = {
    "os": "操作系统", "os.build": "系统版本号", "memory": "内存", "memory.installed_bytes": "安装内存",
    "memory.usable_bytes": "可用内存", "disks": "磁盘", "client": "考试客户端", "client.version": "客户端版本",
    "client.user_ini": "客户端 user.ini", "fonts": "字体", "fonts.msyh": "微软雅黑字体", "network": "网络",
    "network.bandwidth": "下行带宽", "network.public_ip": "公网 IP", "network.endpoints": "考试服务器地址",
    "host": "主机", "cpu": "处理器",
}
_KIND_NAMES = {int: Text("an integer", "整数"), float: Text("a number", "数字"), str: Text("a string", "字符串"),
               bool: Text("true or false", "true 或 false"), list: Text("a list", "列表"),
               dict: Text("an object", "对象")}
NOT_IN_SNAPSHOT = Text("not in the snapshot", "快照中没有此项")
MISSING = Text("missing", "缺失")


def expected_got(kind: type | tuple[type, ...], value: Any) -> Text:
    """A value of the wrong type, in both languages."""
    name = kind_name(kind)
    return Text(f"expected {name.en}, got {describe(value)}", f"应为{name.zh}，实际为 {describe(value)}")


def fact_name(path: str) -> Text:
    """A fact's name: the dotted path in English, the Chinese name with the path in Chinese."""
    base = path.split("[")[0]
    zh = FACT_NAMES_ZH.get(base) or FACT_NAMES_ZH.get(base.split(".")[0])
    return Text(path, f"{zh}（{path}）" if zh else path)


class NotCollected(TextError):
    """A fact was deliberately not collected (e.g. network under --offline): the check skips."""

    def __init__(self, section: str, reason: "str | Text") -> None:
        super().__init__(as_text(reason))
        self.section = section
        self.args = (f"{section}: {self.reason.en}",)


def _text_map(value: Any) -> dict[str, Text]:
    """The errors or not_collected map, each reason a string (raw text, older snapshots) or
    {en, zh}; anything else is not a reason and is dropped, once, here at the door."""
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, Text] = {}
    for key, why in value.items():
        if isinstance(why, (str, Mapping)):
            text = Text.from_json(why)
            if text.en or text.zh:
                out[str(key)] = text
    return out


class SnapshotError(TextError):
    """A facts file that cannot be used at all (not JSON, not a snapshot, newer schema): `problem`
    says what, `reason` where and what, both in both languages."""

    def __init__(self, origin: str, problem: Text) -> None:
        super().__init__(Text(f"{origin}: {problem.en}", f"{origin}：{problem.zh}"))
        self.origin, self.problem = origin, problem


def _type_ok(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False  # NaN and infinity are never a measured fact
    if float in kinds and isinstance(value, int):
        return True
    return isinstance(value, kinds)


def _plausible(path: str, value: Any, minimum: float | None) -> Any:
    """A number below what any real machine reports (negative memory, a negative disk) is a
    broken fact, not a small one: the check cannot decide."""
    if minimum is not None and value is not None and value < minimum:
        raise FactUnavailable(path, Text(f"implausible value {describe(value)} (a real machine reports at least "
                                         f"{minimum:g})", f"数值不合理：{describe(value)}（真实机器至少为 {minimum:g}）"))
    return value


def kind_name(kind: type | tuple[type, ...]) -> Text:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = [_KIND_NAMES.get(k, Text(k.__name__, k.__name__)) for k in kinds]
    return Text(" or ".join(n.en for n in names), "或".join(n.zh for n in names))


def describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


class Facts:
    """Read-only typed access to a snapshot, shared by every check."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        self._errors = _text_map(data.get("errors"))
        self._skipped = _text_map(data.get("not_collected"))

    @property
    def data(self) -> Mapping[str, Any]:
        return self._data

    def reason(self, path: str) -> Text:
        """Why a fact is unknown: its own error, else its nearest parent's."""
        parts = path.split(".")
        for n in range(len(parts), 0, -1):
            msg = self._errors.get(".".join(parts[:n]))
            if msg is not None:
                return msg
        return NOT_IN_SNAPSHOT

    def absent(self, path: str) -> bool:
        """True when the snapshot has no key at path (a null on the way, a value that is not an
        object, or a section left out on purpose is not absence: the collector said something)."""
        node: Any = self._data
        for part in path.split("."):
            if not isinstance(node, Mapping):
                return False
            if part not in node:
                return True
            node = node[part]
        return False

    def expect(self, path: str) -> None:
        """Raise FactUnavailable (absent) unless the snapshot holds path, even as null: for a check
        whose facts a collector always writes, so that their absence tells an older collector."""
        self._skip_check(path)
        if self.absent(path):
            raise FactUnavailable(path, NOT_IN_SNAPSHOT, absent=True)

    def text(self, path: str) -> Text | None:
        """A text meant for people at a dotted path ({en, zh}, or a plain string read the same in
        both languages); None when absent or of another type."""
        node: Any = self._data
        for part in path.split("."):
            if not isinstance(node, Mapping):
                return None
            node = node.get(part)
        if isinstance(node, (str, Mapping)):
            text = Text.from_json(node)
            return text if (text.en or text.zh) else None
        return None

    def _skip_check(self, path: str) -> None:
        parts = path.split(".")
        for n in range(1, len(parts) + 1):
            why = self._skipped.get(".".join(parts[:n]))
            if why is not None:
                section = ".".join(parts[:n])
                if parts[0] not in SKIPPABLE_SECTIONS:  # the plan's hardware rules need these facts
                    raise FactUnavailable(section, Text(
                        f"left out of the snapshot ({why.en}), but this check needs it: collect the facts again",
                        f"快照未采集此项（{why.zh}），但本检查需要：请重新采集"))
                raise NotCollected(section, why)

    def get(self, path: str, kind: type | tuple[type, ...] = object, minimum: float | None = None) -> Any:
        """The value at a dotted path, or None when unknown; a value of the wrong type raises, and
        so does a number below minimum (implausible)."""
        self._skip_check(path)
        node: Any = self._data
        walked: list[str] = []
        for part in path.split("."):
            if node is None:
                return None
            if not isinstance(node, Mapping):
                raise FactUnavailable(".".join(walked), expected_got(dict, node))
            node = node.get(part)
            walked.append(part)
        if node is None:
            return None
        if not _type_ok(node, kind):
            raise FactUnavailable(path, expected_got(kind, node))
        return _plausible(path, node, minimum)

    def require(self, path: str, kind: type | tuple[type, ...] = object, minimum: float | None = None) -> Any:
        """Like get, but an unknown value means the check cannot decide."""
        value = self.get(path, kind, minimum)
        if value is None:
            raise FactUnavailable(path, self.reason(path), absent=self.absent(path))
        return value


def field(obj: Any, key: str, kind: type | tuple[type, ...], where: str,
          required: bool = False, minimum: float | None = None) -> Any:
    """Typed access inside a list item (a disk, a font), with a path for the error message."""
    if not isinstance(obj, Mapping):
        raise FactUnavailable(where, expected_got(dict, obj))
    value = obj.get(key)
    if value is None:
        if required:
            raise FactUnavailable(f"{where}.{key}", MISSING)  # inside a fact that is there: damage, not age
        return None
    if not _type_ok(value, kind):
        raise FactUnavailable(f"{where}.{key}", expected_got(kind, value))
    return _plausible(f"{where}.{key}", value, minimum)


_SCHEMA_RE = re.compile(r"^(?P<name>[a-z.]+)/(?P<version>\d+)$")


def parse_schema(value: Any) -> tuple[str, int] | None:
    if not isinstance(value, str):
        return None
    m = _SCHEMA_RE.match(value.strip())
    return (m["name"], int(m["version"])) if m else None


def snapshot_from_document(doc: Any, origin: str, inside_report: bool = False) -> dict[str, Any]:
    """The facts inside a parsed facts file, or inside a saved report (to re-judge it)."""
    if not isinstance(doc, dict):
        raise SnapshotError(origin, Text(f"expected a JSON object with \"schema\": \"{FACTS_SCHEMA}\"",
                                          f"应为含 \"schema\": \"{FACTS_SCHEMA}\" 的 JSON 对象"))
    schema = parse_schema(doc.get("schema"))
    if schema is None:
        raise SnapshotError(origin, Text("no \"schema\" field: this is not a readiness facts file",
                                          "没有 \"schema\" 字段：不是 readiness 信息文件"))
    from readiness.core.versions import newer_major

    name, version = schema
    if name == "readiness.report":
        if version > 1:
            raise SnapshotError(origin, newer_major(str(doc["schema"]), "readiness.report/1", doc, "tool"))
        if inside_report:
            raise SnapshotError(origin, Text("a report inside a report: its facts must be a facts snapshot",
                                              "报告中嵌套了报告：其 facts 必须是信息快照"))
        return snapshot_from_document(doc.get("facts"), f"{origin} (facts of the report)", inside_report=True)
    if name != FACTS_SCHEMA_NAME:
        raise SnapshotError(origin, Text(f"schema {doc['schema']!r} is not a facts snapshot",
                                          f"格式 {doc['schema']!r} 不是信息快照"))
    if version > FACTS_SCHEMA_VERSION:
        raise SnapshotError(origin, newer_major(str(doc["schema"]), FACTS_SCHEMA, doc, "tool"))
    return doc


_fast_loads: Callable[[bytes], Any] | None
try:  # three times faster on the reports a branch aggregates by the hundred thousand
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - orjson is a dependency; this keeps a broken install usable
    _fast_loads = None


class _NotJSONConstant(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _NotJSONConstant(name)  # NaN, Infinity: Python writes them, JSON has none


def decode_json_bytes(raw: bytes, origin: str) -> Any:
    """JSON from UTF-8, with or without the BOM that Notepad writes."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if _fast_loads is not None:
        try:
            return _fast_loads(raw)
        except ValueError:
            pass  # the standard library below says precisely what is wrong
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SnapshotError(origin, Text("saved as UTF-16; save it as UTF-8", "以 UTF-16 编码保存：请另存为 UTF-8"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SnapshotError(origin, Text(f"not UTF-8 text (byte {exc.start}); is it a JSON file?",
                                          f"不是 UTF-8 文本（第 {exc.start} 字节）；是 JSON 文件吗？")) from None
    if not text.strip():
        raise SnapshotError(origin, Text("the file is empty", "文件是空的"))
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except _NotJSONConstant as exc:
        raise SnapshotError(origin, Text(f"not valid JSON: {exc} is not a JSON number",
                                          f"不是有效的 JSON：{exc} 不是 JSON 数值")) from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(origin, Text(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                                          f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）")) from None
    except RecursionError:
        raise SnapshotError(origin, Text("JSON nested too deeply", "JSON 嵌套过深")) from None
    where = lone_surrogate(doc)
    if where is not None:  # "\ud800" escaped: valid JSON, but no text; it breaks every writer after
        raise SnapshotError(origin, Text(f"not valid Unicode: {where} holds a lone surrogate (\\ud800-\\udfff escape)",
                                          f"不是有效的 Unicode：{where} 含有孤立的代理项（\\ud800-\\udfff 转义）"))
    return doc


def lone_surrogate(doc: Any) -> str | None:
    """The first path whose key or text holds a lone surrogate, found without recursion; None when
    every string is valid Unicode (what orjson and UTF-8 writers accept)."""
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return where or "the top level"
        elif isinstance(node, dict):
            for k, v in node.items():
                path = f"{where}.{k}" if where else str(k)
                try:
                    k.encode("utf-8")
                except UnicodeEncodeError:
                    return (where + "." if where else "") + k.encode("utf-8", "backslashreplace").decode("ascii")
                stack.append((v, path))
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(node))
    return None


def too_deep(doc: Any, limit: int) -> str | None:
    """The first path nested deeper than limit (tables and lists), found without recursion."""
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > limit:
            return where or "the top level"
        if isinstance(node, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(node))
    return None


MAX_SNAPSHOT_DEPTH = 64  # a snapshot needs five levels; a report's facts one more


def load_snapshot(path: str | Path) -> dict[str, Any]:
    """Read a saved facts file (or a report, whose facts are re-judged)."""
    from readiness.core.files import cannot_read, read_regular

    p = Path(path)
    try:
        if p.is_dir():
            raise SnapshotError(str(p), Text("is a folder, not a facts file", "是文件夹，不是信息文件"))
        raw = read_regular(p, MAX_SNAPSHOT_BYTES)
    except OSError as exc:
        raise SnapshotError(str(p), cannot_read(exc)) from None
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(str(p), Text(f"larger than {MAX_SNAPSHOT_BYTES // 2**20} MiB: not a facts file",
                                         f"大于 {MAX_SNAPSHOT_BYTES // 2**20} MiB：不是信息文件"))
    doc = decode_json_bytes(raw, str(p))
    deep = too_deep(doc, MAX_SNAPSHOT_DEPTH)
    if deep:
        raise SnapshotError(str(p), Text(f"{deep[:80]} is nested more than {MAX_SNAPSHOT_DEPTH} levels deep: not a facts file",
                                         f"{deep[:80]} 的嵌套超过 {MAX_SNAPSHOT_DEPTH} 层：不是信息文件"))
    return snapshot_from_document(doc, str(p))
