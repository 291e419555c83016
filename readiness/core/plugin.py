"""The check plugin API: a check is a plain function with its metadata declared beside it.

Built-in checks are found through the entry-point group ``readiness.checks`` exactly like a third
party's, so nothing registers itself at import time and there is no global registry. Each entry
point loads in its own try/except: a broken plugin becomes one error result, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from readiness.core.i18n import Text
from readiness.core.settings import Setting
from readiness.core.versions import parse_version

if TYPE_CHECKING:
    from readiness.core.facts import Facts
    from readiness.core.model import Finding
    from readiness.core.profile import Profile

ENTRY_POINT_GROUP = "readiness.checks"
SPEC_ATTRIBUTE = "readiness_check"

CheckFunc = Callable[["Facts", "Profile"], "Finding"]


@dataclass(frozen=True)
class CheckSpec:
    """A check's stable id, titles, default settings and the function that judges."""

    id: str
    title: Text
    func: CheckFunc
    settings: tuple[Setting, ...] = ()
    order: int = 100
    since: str | None = None  # the readiness version the check came in (judging.py: older facts skip)


def check(id: str, *, title: Text, settings: Iterable[Setting] = (), order: int = 100, since: str | None = None
          ) -> Callable[[CheckFunc], CheckFunc]:
    """Declare a function as a check; it stays callable as a plain function. since: the readiness
    version it came in (a version string, "0.2.0"): facts collected by an older readiness that lack
    what it reads make it skip, not fail (readiness.core.judging)."""
    if since is not None and parse_version(since) is None:
        raise ValueError(f"check {id!r}: since={since!r} is not a version (like \"0.2.0\")")

    def decorate(func: CheckFunc) -> CheckFunc:
        setattr(func, SPEC_ATTRIBUTE, CheckSpec(id, title, func, tuple(settings), order, since))
        return func

    return decorate


@dataclass(frozen=True)
class LoadFailure:
    """A check that could not be loaded; reported as an error result under its name."""

    name: str
    reason: Text


@dataclass(frozen=True)
class LoadedChecks:
    checks: tuple[CheckSpec, ...]
    failures: tuple[LoadFailure, ...] = ()

    @property
    def settings(self) -> tuple[Setting, ...]:
        return tuple(s for c in self.checks for s in c.settings)

    def select(self, ids: Iterable[str]) -> "LoadedChecks":
        wanted = set(ids)
        return LoadedChecks(tuple(c for c in self.checks if c.id in wanted),
                            tuple(f for f in self.failures if f.name in wanted))


def spec_of(obj: Any) -> CheckSpec | None:
    spec = getattr(obj, SPEC_ATTRIBUTE, None)
    return spec if isinstance(spec, CheckSpec) else None


def assemble(candidates: Iterable[tuple[str, Callable[[], Any]]],
             reserved_keys: Iterable[str] = ()) -> LoadedChecks:
    """Load each candidate in isolation, refusing duplicates of ids and setting keys."""
    specs: list[CheckSpec] = []
    failures: list[LoadFailure] = []
    seen_ids: set[str] = set()
    seen_keys: set[str] = set(reserved_keys)
    for name, load in candidates:
        try:
            spec = spec_of(load())
        except Exception as exc:  # a plugin's import can fail in any way
            raw = f"{type(exc).__name__}: {exc}"
            failures.append(LoadFailure(name, Text(f"could not load: {raw}", f"无法加载：{raw}")))
            continue
        if spec is None:
            failures.append(LoadFailure(name, Text("not a check: it was not declared with @check",
                                                   "不是检查项：未用 @check 声明")))
            continue
        if spec.id in seen_ids:
            failures.append(LoadFailure(name, Text(f"check id {spec.id!r} is already used by another check",
                                                   f"检查项编号 {spec.id!r} 已被另一检查项使用")))
            continue
        clash = [s.key for s in spec.settings if s.key in seen_keys]
        if clash:
            failures.append(LoadFailure(spec.id, Text(f"setting {clash[0]!r} is already declared elsewhere",
                                                      f"设置 {clash[0]!r} 已在别处声明")))
            continue
        seen_ids.add(spec.id)
        seen_keys.update(s.key for s in spec.settings)
        specs.append(spec)
    specs.sort(key=lambda s: (s.order, s.id))
    return LoadedChecks(tuple(specs), tuple(failures))


def load_checks(group: str = ENTRY_POINT_GROUP, reserved_keys: Iterable[str] = ()) -> LoadedChecks:
    """Every check installed in the entry-point group, built-in or third-party."""
    eps = sorted(entry_points_of(group), key=lambda ep: ep.name)
    unique = {ep.name: ep for ep in eps}  # the same distribution seen twice on sys.path
    return assemble(((ep.name, ep.load) for ep in unique.values()), reserved_keys)


@dataclass(frozen=True)
class FoundEntryPoint:
    """An entry point read straight from a distribution's entry_points.txt; loads as
    importlib.metadata.EntryPoint.load does (module, then the attribute path)."""

    name: str
    value: str
    group: str

    def load(self) -> Any:
        import re
        from importlib import import_module

        match = re.match(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$", self.value)
        if match is None:
            raise ValueError(f"not an entry point: {self.value!r}")
        found: Any = import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            found = getattr(found, attr)
        return found


def entry_points_of(group: str) -> "list[Any]":
    """The group's entry points of every installed distribution, in importlib.metadata's order.

    importlib.metadata costs ~25 ms of imports (email, zipfile, csv) on every start, more than
    judging a snapshot. Where the interpreter finds distributions only through the standard path
    finder in plain folders (a venv, site-packages, an editable install), this reads the same
    files the same way: each sys.path folder's *.dist-info and *.egg-info in the order
    importlib.metadata searches them, the first distribution of each normalised name, its
    entry_points.txt parsed as importlib.metadata parses it. Anything else (a zip or an .egg on
    sys.path, another finder of distributions, a frozen build, a line it would not parse) goes
    through importlib.metadata itself.
    """
    found = _scan_entry_points(group)
    if found is None:
        from importlib.metadata import entry_points

        return list(entry_points(group=group))
    return found


def _normalize(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower().replace("-", "_")


def _scan_entry_points(group: str) -> "list[FoundEntryPoint] | None":
    import os
    import sys
    from importlib.machinery import PathFinder

    if getattr(sys, "frozen", False):
        return None
    finders = [f for f in sys.meta_path if getattr(f, "find_distributions", None) is not None]
    if finders != [PathFinder]:
        return None
    seen: set[str] = set()
    out: list[FoundEntryPoint] = []
    for entry in sys.path:
        root = entry or "."
        if not isinstance(entry, str) or root.lower().endswith(".egg"):
            return None
        try:
            children = os.listdir(root)
        except OSError:
            if os.path.exists(root):
                return None  # a zip on sys.path (or a folder it cannot list): importlib.metadata decides
            continue  # a folder that is not there: nothing to find, as importlib.metadata does
        groups: dict[str, list[str]] = {}
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                groups.setdefault(_normalize(low.rpartition(".")[0].partition("-")[0]), []).append(child)
        for infos in groups.values():
            for child in infos:
                stem, ext = os.path.splitext(child)
                if ext not in (".dist-info", ".egg-info"):
                    return None  # named by its metadata, not its folder: importlib.metadata decides
                name = _normalize(stem.partition("-")[0])
                if name in seen:
                    continue
                seen.add(name)
                try:
                    with open(os.path.join(root, child, "entry_points.txt"), encoding="utf-8") as fh:
                        text = fh.read()
                except (FileNotFoundError, NotADirectoryError, IsADirectoryError, UnicodeDecodeError):
                    continue
                except OSError:
                    return None
                parsed = _parse_entry_points(text, group)
                if parsed is None:
                    return None
                out.extend(parsed)
    return out


def _parse_entry_points(text: str, group: str) -> "list[FoundEntryPoint] | None":
    """importlib.metadata's Sectioned parser: stripped lines, '#' comments, [section] headers."""
    section: str | None = None
    found: list[FoundEntryPoint] = []
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section is None:
            continue
        if "=" not in line:
            return None  # importlib.metadata raises here: let it
        name, value = line.split("=", 1)
        if section == group:
            found.append(FoundEntryPoint(name.strip(), value.strip(), section))
    return found
