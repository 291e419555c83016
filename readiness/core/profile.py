"""Site profiles: the built-in defaults encode the 2023 autumn plan; a site's TOML overrides them.

A bad profile is refused as a whole, naming the file, the key and what is wrong: running with a
half-understood profile could pass a PC that the site's rules would fail.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from readiness.core.facts import too_deep
from readiness.core.i18n import Text, TextError, join, same
from readiness.core.settings import Setting


BUILTIN_NAME = "built-in (2023 autumn emergency plan)"
BUILTIN_ZH = "内置（2023 年秋季应急预案）"
SECRET_KEYS = ("server.token", "server.admin_key", "server.phone_token", "upstream.token",
               "branch.sites")  # never copied into a report (a table: its values hidden, its keys kept)
MAX_PROFILE_BYTES = 1024 * 1024  # a site profile is a page of TOML
MAX_DEPTH = 32  # tables and arrays: a profile needs three levels
_LONG_DOTTED_KEY = re.compile(r"(?:[A-Za-z0-9_-]+[ \t]*\.[ \t]*){%d,}" % (MAX_DEPTH + 1))


class ProfileError(TextError):
    """A profile that cannot be used; the reason names the file and the key, in both languages
    (str(): English). `keys` are the settings it names and `lines` where the file sets them
    ((key, line) pairs), so that nothing reads the words back."""

    def __init__(self, reason: Text, keys: tuple[str, ...] = (), lines: tuple[tuple[str, int], ...] = ()) -> None:
        super().__init__(reason)
        self.keys, self.lines = keys, lines


def _in(source: str, problem: Text, keys: tuple[str, ...] = ()) -> ProfileError:
    where = Text(source, BUILTIN_ZH) if source == BUILTIN_NAME else same(source)
    return ProfileError(Text(f"{where.en}: {problem.en}", f"{where.zh}：{problem.zh}"), keys)


@dataclass(frozen=True)
class Profile:
    values: Mapping[str, Any]
    source: str = BUILTIN_NAME

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def nested(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.values.items():
            section, _, name = key.rpartition(".")
            node = out
            for part in section.split(".") if section else []:
                node = node.setdefault(part, {})
            node[name] = value
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "values": self.nested()}

    # What a server run with this profile is (`readiness serve`): decided here, once, for the
    # start-up text, the routes, the pages and the senders up the chain.
    @property
    def is_branch(self) -> bool:
        """A branch server: it lists the senders it takes documents from ([branch.sites])."""
        return bool(self.get("branch.sites"))

    @property
    def is_site(self) -> bool:
        """A site server (its PCs' reports, its dashboard and phones): every server that is not a
        branch, and a branch whose own [site] id is one of its [branch.sites] (a site and its
        branch at once). A branch with a [site] id it does not list is a branch only."""
        return not self.is_branch or (bool(self.get("site.id")) and self["site.id"] in self["branch.sites"])

    def redacted(self) -> "Profile":
        """The profile without its secrets (a report travels; the server's key must not)."""
        return Profile({k: (_hidden(v) if k in SECRET_KEYS and v else v) for k, v in self.values.items()}, self.source)


def _hidden(value: Any) -> Any:
    return {k: "<hidden>" for k in value} if isinstance(value, dict) else "<hidden>"


def _flatten(table: Mapping[str, Any], prefix: str = "", tables: frozenset[str] = frozenset()
             ) -> Iterable[tuple[str, Any]]:
    """Dotted keys; a table declared as one setting (tables: [branch.sites]) stays whole."""
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in tables:
            yield from _flatten(value, path + ".", tables)
        else:
            yield path, value


def build_profile(overrides: Mapping[str, Any], settings: Iterable[Setting],
                  source: str = BUILTIN_NAME) -> Profile:
    """Defaults, then overrides, each checked against its declaration."""
    declared = {s.key: s for s in settings}
    values = {k: s.default for k, s in declared.items()}
    problems: list[Text] = []
    named: list[str] = []
    sections = sorted({k.rpartition(".")[0] for k in declared})
    for key, raw in _flatten(overrides, tables=frozenset(k for k, s in declared.items() if s.kind == "str_map")):
        setting = declared.get(key)
        if setting is None:
            named.append(key)
            section = key.rpartition(".")[0]
            known = sorted(k for k in declared if k.rpartition(".")[0] == section)
            near = difflib.get_close_matches(section, sections, n=1) if section and not known else []
            homes = sorted(k.rpartition(".")[0] for k in declared if k.rpartition(".")[2] == key) if not section else []
            hint = (Text(f" (known keys here: {', '.join(known)})", f"（此处可用的键：{'、'.join(known)}）") if known
                    else Text(f" (there is no section [{section}]: did you mean [{near[0]}]?)",
                              f"（没有 [{section}] 这一节：是指 [{near[0]}] 吗？）") if near
                    else Text(f" (outside any section: it belongs under [{homes[0]}]; remove the # of that "
                              "section's header line too)",
                              f"（不在任何节中：它属于 [{homes[0]}]；请把该节标题行前的 # 也去掉）") if homes
                    else same(""))
            problems.append(Text(f"{key}: unknown key{hint.en}", f"{key}：未知的键{hint.zh}"))
            continue
        value, problem = setting.check(raw)
        if problem:
            got = json.dumps(_hidden(raw) if key in SECRET_KEYS and raw else raw, ensure_ascii=False)  # never a secret
            problems.append(Text(f"{key}: {problem.en}, got {got}", f"{key}：{problem.zh}，实际为 {got}"))
            named.append(key)
        else:
            values[key] = value
    if problems:
        raise _in(source, join(problems), tuple(dict.fromkeys(named)))
    return Profile(values, source)


def load_profile(path: str | Path | None, settings: Iterable[Setting]) -> Profile:
    settings = tuple(settings)
    if path is None:
        return build_profile({}, settings)
    from readiness.core.files import cannot_read, read_regular

    p = Path(path)
    try:
        raw = read_regular(p, MAX_PROFILE_BYTES)
    except OSError as exc:
        raise _in(str(p), cannot_read(exc, Text("the profile", "配置文件"))) from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise _in(str(p), Text(f"larger than {MAX_PROFILE_BYTES // 1024} KiB: not a site profile",
                               f"大于 {MAX_PROFILE_BYTES // 1024} KiB：不是考点配置文件"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _in(str(p), Text("not UTF-8 text; save the profile as UTF-8",
                               "不是 UTF-8 文本；请把配置文件另存为 UTF-8 编码")) from None
    m = _LONG_DOTTED_KEY.search(text)
    if m:  # the TOML parser takes quadratic time on these: refused before parsing
        line = text.count("\n", 0, m.start()) + 1
        raise _in(str(p), Text(f"line {line}: a key nested more than {MAX_DEPTH} levels deep: not a site profile",
                               f"第 {line} 行：键的嵌套超过 {MAX_DEPTH} 层：不是考点配置文件"))
    if sys.version_info >= (3, 11):  # imported here: most runs have no profile file
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    twice = _section_twice(text)
    if twice is not None:  # said before the parser's "Cannot declare ('server',) twice"
        raise _in(str(p), twice)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _in(str(p), toml_error(exc)) from None
    except RecursionError:
        raise _in(str(p), Text("nested too deeply to be a site profile", "嵌套过深，不是考点配置文件")) from None
    deep = too_deep(data, MAX_DEPTH)
    if deep:
        raise _in(str(p), Text(f"{deep} is nested more than {MAX_DEPTH} levels deep: not a site profile",
                               f"{deep} 的嵌套超过 {MAX_DEPTH} 层：不是考点配置文件"))
    try:
        return build_profile(data, settings, str(p))
    except ProfileError as exc:  # where the file sets each key it names
        found = key_lines(text)
        raise ProfileError(exc.reason, exc.keys, tuple((k, found[k]) for k in exc.keys if k in found)) from None


_HEADER = re.compile(r"^\s*\[\s*([^\[\]#]+?)\s*\]\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")


def _bare(name: str) -> str:
    return re.sub(r"[\s\"']", "", name)


def key_lines(text: str) -> dict[str, int]:
    """The line where a TOML file sets each dotted key (the first, for a key set twice); tables of
    arrays ([[...]]) and values spread over lines are passed over."""
    lines: dict[str, int] = {}
    table = ""
    for number, raw in enumerate(text.splitlines(), 1):
        header = _HEADER.match(raw)
        if header:
            table = _bare(header.group(1))
            continue
        if raw.lstrip().startswith("[["):
            table = "\0"  # an array of tables: no setting of ours lives there
            continue
        assignment = _ASSIGNMENT.match(raw)
        if assignment and not raw.lstrip().startswith("#"):
            key = _bare(assignment.group(1))
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


def _section_twice(text: str) -> Text | None:
    """A section declared twice ("[server]" as `profile` wrote it, then pasted again): where the
    first one is and which keys to move there, in both languages."""
    first: dict[str, int] = {}
    current: str | None = None
    pasted: list[str] = []
    at = 0
    for number, raw in enumerate(text.splitlines(), 1):
        header = _HEADER.match(raw)
        if header or raw.lstrip().startswith("[["):
            if current is not None:
                break
            name = _bare(header.group(1)) if header else None
            if name is not None and name in first:
                current, at = name, number
            elif name is not None:
                first[name] = number
            continue
        assignment = _ASSIGNMENT.match(raw)
        if current is not None and assignment and not raw.lstrip().startswith("#"):
            pasted.append(_bare(assignment.group(1)))
    if current is None:
        return None
    keys = Text(" and ".join(pasted), "和".join(pasted)) if pasted else Text("its keys", "其中的键")
    return Text(f"line {at}: [{current}] is already at line {first[current]}: put {keys.en} there "
                "(a section is written once)",
                f"第 {at} 行：[{current}] 已在第 {first[current]} 行出现：请把 {keys.zh} 写到那一节里"
                "（每一节只能写一次）")


# tomllib's messages (its wording is stable across 3.11-3.13), said in Chinese without the English
_TOML_WORDS = (("Illegal character '\\n'", "字符串缺少结尾的引号（字符串不能跨行）"),
               ("Illegal character", "非法字符（如行中多余的字符或未加引号的文字）"),
               ("Cannot declare", "同一节或同一个键写了两次"),
               ("Cannot overwrite a value", "同一个键写了两次"),
               ("Expected '=' after a key", "键后缺少 =（值的文字要加引号）"),
               ("Unterminated string", "字符串缺少结尾的引号"),
               ("Invalid value", "值无效（文字要加引号，例如 \"1101\"）"),
               ("Invalid statement", "无法识别的语句"),
               ("Unclosed array", "数组缺少结尾的 ]"),
               ("Invalid initial character for a key part", "键名以无效字符开头"),
               ("Expected ']' at the end of a table declaration", "节名缺少结尾的 ]"),
               ("Expected newline or end of document after a statement", "一行只能写一个键值"),
               ("Invalid date or datetime", "日期时间无效"))
_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def toml_error(exc: ValueError) -> Text:
    """A TOML syntax error: the parser's words in English, their meaning and the place in Chinese
    (never the parser's English inside the Chinese)."""
    message = str(exc)
    line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)  # Python 3.14 gives them
    found = _WHERE.search(message)
    if line is None and found is not None and found.group(1):
        line, col = int(found.group(1)), int(found.group(2))
    kind = next((zh for en, zh in _TOML_WORDS if message.startswith(en)), "语法错误")
    where = f"第 {line} 行第 {col} 列：" if line is not None else "文件末尾：" if found is not None else ""
    return Text(f"not valid TOML: {message}", f"不是有效的 TOML：{where}{kind}")



def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string


UNSET = Text("(unset)", "（未设置）")
COMMENTED = Text("Sections that hold only defaults are commented out: remove the # of the lines you set, or paste "
                 "a whole section you were given (such as the [server] lines `serve` prints) in their place.",
                 "只含默认值的节已注释掉：去掉要设置的行前的 #，或在其位置粘贴拿到的整节内容"
                 "（例如 `serve` 打印的 [server] 各行）。")


def to_toml(profile: Profile, settings: Iterable[Setting], lang: str = "en") -> str:
    """The effective profile as a TOML file a site can copy and edit, then complete by pasting: a
    section that holds only defaults is written commented out, so a pasted [server] (what `serve`
    prints) or [upstream] block is the only one, never a second declaration."""
    declared = {s.key: s for s in settings}
    source = BUILTIN_ZH if lang == "zh" and profile.source == BUILTIN_NAME else profile.source
    lines = [f"# 生效的配置；来源：{source}" if lang == "zh" else f"# Effective profile; source: {source}",
             f"# {COMMENTED(lang)}"]
    by_section: dict[str, list[str]] = {}
    for key in sorted(profile.values, key=lambda k: (k.rpartition(".")[0], k)):
        by_section.setdefault(key.rpartition(".")[0], []).append(key)
    for section, keys in by_section.items():
        live = any(k not in declared or profile.values[k] != declared[k].default for k in keys)
        mark = "" if live else "# "
        lines += ["", f"{mark}[{section}]"]
        for key in keys:
            if key in declared:
                lines.append(f"# {declared[key].help(lang)}")
            name, value = key.rpartition(".")[2], profile.values[key]
            lines.append(f"{mark}{name} = {_toml_value(value)}" if value is not None
                         else f"# {name} = \"\"  {UNSET(lang)}")
    return "\n".join(lines) + "\n"
