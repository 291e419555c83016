"""The check plugin API: a check is a plain function with its metadata declared beside it.

Built-in checks are found through the entry-point group ``readiness.checks`` exactly like a third
party's, so nothing registers itself at import time and there is no global registry. Each entry
point loads in its own try/except: a broken plugin becomes one error result, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from readiness.i18n import Text
from readiness.settings import Setting

if TYPE_CHECKING:
    from readiness.facts import Facts
    from readiness.model import Finding
    from readiness.profile import Profile

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


def check(id: str, *, title: Text, settings: Iterable[Setting] = (), order: int = 100
          ) -> Callable[[CheckFunc], CheckFunc]:
    """Declare a function as a check; it stays callable as a plain function."""

    def decorate(func: CheckFunc) -> CheckFunc:
        setattr(func, SPEC_ATTRIBUTE, CheckSpec(id, title, func, tuple(settings), order))
        return func

    return decorate


@dataclass(frozen=True)
class LoadFailure:
    """A check that could not be loaded; reported as an error result under its name."""

    name: str
    reason: str


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
            failures.append(LoadFailure(name, f"could not load: {type(exc).__name__}: {exc}"))
            continue
        if spec is None:
            failures.append(LoadFailure(name, "not a check: it was not declared with @check"))
            continue
        if spec.id in seen_ids:
            failures.append(LoadFailure(name, f"check id {spec.id!r} is already used by another check"))
            continue
        clash = [s.key for s in spec.settings if s.key in seen_keys]
        if clash:
            failures.append(LoadFailure(spec.id, f"setting {clash[0]!r} is already declared elsewhere"))
            continue
        seen_ids.add(spec.id)
        seen_keys.update(s.key for s in spec.settings)
        specs.append(spec)
    specs.sort(key=lambda s: (s.order, s.id))
    return LoadedChecks(tuple(specs), tuple(failures))


def load_checks(group: str = ENTRY_POINT_GROUP, reserved_keys: Iterable[str] = ()) -> LoadedChecks:
    """Every check installed in the entry-point group, built-in or third-party."""
    from importlib.metadata import entry_points  # ~25 ms of imports (email, zipfile): only when needed

    eps = sorted(entry_points(group=group), key=lambda ep: ep.name)
    unique = {ep.name: ep for ep in eps}  # the same distribution seen twice on sys.path
    return assemble(((ep.name, ep.load) for ep in unique.values()), reserved_keys)
