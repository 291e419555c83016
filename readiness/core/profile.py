"""Site profiles: the built-in defaults encode the 2023 autumn plan; a site's TOML overrides them.

A bad profile is refused as a whole, naming the file, the key and what is wrong: running with a
half-understood profile could pass a PC that the site's rules would fail.
"""

from __future__ import annotations

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
    (str(): English)."""


def _in(source: str, problem: Text) -> ProfileError:
    where = Text(source, BUILTIN_ZH) if source == BUILTIN_NAME else same(source)
    return ProfileError(Text(f"{where.en}: {problem.en}", f"{where.zh}：{problem.zh}"))


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
    for key, raw in _flatten(overrides, tables=frozenset(k for k, s in declared.items() if s.kind == "str_map")):
        setting = declared.get(key)
        if setting is None:
            section = key.rpartition(".")[0]
            known = sorted(k for k in declared if k.rpartition(".")[0] == section)
            hint = Text(f" (known keys here: {', '.join(known)})", f"（此处可用的键：{'、'.join(known)}）") \
                if known else same("")
            problems.append(Text(f"{key}: unknown key{hint.en}", f"{key}：未知的键{hint.zh}"))
            continue
        value, problem = setting.check(raw)
        if problem:
            got = json.dumps(_hidden(raw) if key in SECRET_KEYS and raw else raw, ensure_ascii=False)  # never a secret
            problems.append(Text(f"{key}: {problem.en}, got {got}", f"{key}：{problem.zh}，实际为 {got}"))
        else:
            values[key] = value
    if problems:
        raise _in(source, join(problems))
    return Profile(values, source)


def load_profile(path: str | Path | None, settings: Iterable[Setting]) -> Profile:
    settings = tuple(settings)
    if path is None:
        return build_profile({}, settings)
    from readiness.core.files import read_regular

    p = Path(path)
    try:
        raw = read_regular(p, MAX_PROFILE_BYTES)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise _in(str(p), Text(f"cannot read the profile: {why}", f"无法读取配置文件：{why}")) from None
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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _in(str(p), Text(f"not valid TOML: {exc}", f"不是有效的 TOML：{exc}")) from None
    except RecursionError:
        raise _in(str(p), Text("nested too deeply to be a site profile", "嵌套过深，不是考点配置文件")) from None
    deep = too_deep(data, MAX_DEPTH)
    if deep:
        raise _in(str(p), Text(f"{deep} is nested more than {MAX_DEPTH} levels deep: not a site profile",
                               f"{deep} 的嵌套超过 {MAX_DEPTH} 层：不是考点配置文件"))
    return build_profile(data, settings, str(p))



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


def to_toml(profile: Profile, settings: Iterable[Setting], lang: str = "en") -> str:
    """The effective profile as a TOML file a site can copy and edit."""
    helps = {s.key: s.help for s in settings}
    source = BUILTIN_ZH if lang == "zh" and profile.source == BUILTIN_NAME else profile.source
    lines = [f"# 生效的配置；来源：{source}" if lang == "zh" else f"# Effective profile; source: {source}"]
    current = None
    for key in sorted(profile.values, key=lambda k: (k.rpartition(".")[0], k)):
        section, _, name = key.rpartition(".")
        if section != current:
            lines += ["", f"[{section}]"]
            current = section
        if key in helps:
            lines.append(f"# {helps[key](lang)}")
        value = profile.values[key]
        lines.append(f"{name} = {_toml_value(value)}" if value is not None else f"# {name} = \"\"  {UNSET(lang)}")
    return "\n".join(lines) + "\n"
