"""Reading every input (in parallel when there are many) into an Aggregate."""

from __future__ import annotations

import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from readiness.site.aggregate.clones import flag
from readiness.core.i18n import Text
from readiness.core.inputs import Rejected, Source, cannot_read, discover, read_source, unusable
from readiness.site.aggregate.machines import Rejudge, Machine, decode, is_sender_document, machine_from
from readiness.site.aggregate.site import Aggregate, Aggregator
from readiness.core.plugin import LoadedChecks
from readiness.core.i18n import Text
from readiness.core.profile import Profile

PARALLEL_FROM = 2000  # below this, starting processes costs more than it saves
CHUNK = 256

_REJUDGE: Rejudge | None = None
_ZIPS: dict[str, zipfile.ZipFile] = {}


def make_rejudge(profile_path: str | None) -> tuple[Profile, Rejudge]:
    """The profile at profile_path (the built-in one without) and a judge by it: for a process
    that has not loaded them (a worker); a command that has passes them to rejudge_with."""
    from readiness.core.loading import load_checks_and_profile

    loaded, profile = load_checks_and_profile(Path(profile_path) if profile_path else None)
    return profile, rejudge_with(loaded, profile)


class Rejudger:
    """A judge of stored facts by the checks and the profile a command loaded once. When the
    profile names its site (site.id), the machines it judges belong to that site: its id, name and
    seats (`site`), under the profile's source; else each report keeps its own site."""

    def __init__(self, loaded: LoadedChecks, profile: Profile) -> None:
        from readiness.core.judging import site_of

        self.loaded, self.profile = loaded, profile
        self.site: Mapping[str, Any] | None = site_of(profile) if profile["site.id"] else None
        self.source = profile.source

    def __call__(self, facts: Mapping[str, Any], site: Mapping[str, Any]) -> list[dict[str, Any]]:
        from readiness.core.judging import judge_checks

        return [r.to_dict() for r in judge_checks(facts, for_site(self.profile, site), self.loaded)]


def rejudge_with(loaded: LoadedChecks, profile: Profile) -> Rejudge:
    """A judge of stored facts by the checks and the profile a command loaded once."""
    return Rejudger(loaded, profile)


def today_checks(loaded: LoadedChecks) -> dict[str, Text]:
    """The checks this readiness has, by id, with their titles (a report lacking one came before it)."""
    return {c.id: c.title for c in loaded.checks}


SITE_KEYS = {"id": "site.id", "name": "site.name", "seats": "site.seats", "listening": "site.listening",
             "public_ips": "site.public_ips"}


def for_site(profile: Profile, site: Mapping[str, Any]) -> Profile:
    """New rules for every site: a profile that names no site keeps each report's own site
    (seats, listening, registered IPs) and changes only the rules."""
    if profile["site.id"] or not site:
        return profile
    values = dict(profile.values)
    for field, key in SITE_KEYS.items():
        value = site.get(field)
        if value is not None and isinstance(value, type(profile[key])):
            values[key] = value
    return Profile(values, profile.source)


def _init(profile_path: str | None, rejudge: bool) -> None:
    """A worker process builds its own judge (a closure does not cross processes)."""
    global _REJUDGE
    _REJUDGE = make_rejudge(profile_path)[1] if rejudge else None


@dataclass(frozen=True)
class SenderDocument:
    """A site's or a branch's document found among the inputs, as decoded JSON: the branch reads it
    at its own door (readiness.branch.rollup.read_sender_file); a site's aggregation only sets it aside."""

    path: str
    doc: Any


def _one(src: Source) -> Machine | Rejected | SenderDocument:
    try:
        raw = read_source(src, _ZIPS)
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError) as exc:
        return Rejected(src.label, cannot_read(exc))
    try:
        doc = decode(raw, src.label)
        if isinstance(doc, Rejected):
            return doc
        if is_sender_document(doc):  # a site's or a branch's: a branch rolls them up (aggregate/documents.py)
            return SenderDocument(src.label, doc)
        return machine_from(doc, src, _REJUDGE)
    except Exception as exc:  # one hostile file must not stop the aggregation
        return Rejected(src.label, unusable(exc))


def _process(sources: list[Source], profile_path: str | None, judge: Rejudge | None,
             workers: int) -> Iterator[Machine | Rejected | SenderDocument]:
    global _REJUDGE
    if workers <= 1 or len(sources) < PARALLEL_FROM:
        _REJUDGE = judge
        yield from map(_one, sources)
        return
    rejudge = judge is not None
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(profile_path, rejudge)) as pool:
        yield from pool.map(_one, sources, chunksize=CHUNK)


def aggregate(paths: Iterable[str], profile_path: str | None = None, workers: int | None = None,
              loaded: tuple[LoadedChecks, Profile] | None = None,
              documents: list[Any] | None = None,
              read_sender: Callable[[Any, str], Any] | None = None) -> Aggregate:
    """loaded: the checks and profile the command loaded already (from profile_path), not loaded again.
    documents, read_sender: where site and branch documents found among the inputs go, each read by
    read_sender (the branch's door, readiness.branch.rollup.read_sender_file: what it refuses is listed
    as rejected); without them they are listed as rejected, not machine reports."""
    if loaded is None:  # the built-in profile gives the site rules without one
        from readiness.core.loading import load_checks_and_profile

        loaded = load_checks_and_profile(Path(profile_path) if profile_path else None)
    rules, judge = loaded[1], rejudge_with(*loaded)
    agg = Aggregator(rules, rejudged=profile_path is not None, today=today_checks(loaded[0]))
    sources: list[Source] = []
    for item in discover(list(paths)):
        if isinstance(item, Rejected):
            agg.add(item)
        else:
            sources.append(item)
    for result in _process(sources, profile_path, judge if profile_path else None, workers or os.cpu_count() or 1):
        if isinstance(result, SenderDocument):
            got = (read_sender(result.doc, result.path) if read_sender is not None and documents is not None
                   else Rejected(result.path, Text("a site or branch document, not a machine report",
                                                         "这是考点或分部的文档，不是考试机报告")))
            if isinstance(got, Rejected):
                agg.add(got)
            else:
                documents.append(got)  # type: ignore[union-attr]
        else:
            agg.add(result)
    for zf in _ZIPS.values():
        zf.close()
    _ZIPS.clear()
    folded = agg.result()
    flag(folded, agg.shared_ids())  # the same warning as the site server's
    return folded
