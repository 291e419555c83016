"""The live site view: the stored reports folded by the same code as `readiness aggregate`
(readiness.site.aggregate's read_machine + Aggregator), so the dashboard, `GET /api/site` and the
downloads say what `aggregate` says of the same reports.

Each report is read once, when it arrives (or at start-up), into aggregate's small per-machine
summary; the site view is rebuilt from those summaries only when something changed.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from readiness.site.aggregate.clones import flag
from readiness.core.inputs import Rejected, Source, unusable
from readiness.site.aggregate.machines import Machine, Rejudge, read_machine
from readiness.site.aggregate.site import Aggregate, Aggregator
from readiness.core.reading import text_of
from readiness.site.phones import NotAPhoneCheck, PhoneCheck, PhoneVerdict, judge_phone, replaces, unreadable
from readiness.core.i18n import Text
from readiness.core.profile import Profile
from readiness.site.store import StoredPhone, StoredReport, Store


def label(report_id: int) -> str:
    """The name a stored report goes by in the site report (where `aggregate` shows a path)."""
    return f"#{report_id}"


def report_id(source: str) -> int | None:
    return int(source[1:]) if source.startswith("#") and source[1:].isdigit() else None


@dataclass(frozen=True)
class Entry:
    summary: Machine | Rejected
    received_at: str
    client: str


@dataclass
class Built:
    version: int
    agg: Aggregate
    shared: dict[str, list[str]]
    last_seen: dict[str, str] = field(default_factory=dict)  # machine key → newest arrival
    hidden: list[dict[str, str]] = field(default_factory=list)  # machines the manager hid: {machine_id, hostname, since}


def hidden_key(m: Machine) -> tuple[str, str]:
    """A machine as the manager hides it: its id and its host name (a clone or a re-imaged PC under
    the same name but another id is another machine, and stays)."""
    return (m.machine_id or "", m.hostname.lower())


class SiteView:
    def __init__(self, store: Store, rules: Profile, judge: Rejudge | None = None,
                 today: dict[str, Text] | None = None) -> None:
        """rules: the profile the command loaded (the built-in one without --profile) gives the site
        rules; judge: re-judge every report's facts by it (--profile given), else their own verdicts;
        today: the checks this readiness has (build.today_checks), to name PCs checked before them."""
        self.today = today
        self.store = store
        self.rules = rules
        self.judge = judge
        self.rejudged = judge is not None
        self._lock = threading.Lock()
        self._entries: dict[int, Entry] = {}
        self._phones: list[StoredPhone] = []
        self.version = 0
        self._built: Built | None = None
        for stored in store.reports():
            self._entries[stored.id] = Entry(_received(self.read(stored.body, stored.id), stored), stored.received_at,
                                             stored.client)
        self._phones = store.phones()
        self._rooms: Counter[str] = Counter(_room_of(p) for p in self._phones)
        self.version = 1

    def read(self, body: bytes, rid: int | None = None) -> Machine | Rejected:
        """aggregate's reading of one report (its verdicts, or its facts re-judged)."""
        src = Source(label(rid) if rid is not None else "request")
        try:
            return read_machine(body, src, self.judge, who="site")
        except Exception as exc:  # one hostile report must not stop the server, as in aggregate
            return Rejected(src.label, unusable(exc))

    def add(self, stored: StoredReport, summary: Machine | Rejected) -> None:
        if isinstance(summary, Machine) and summary.hostname == summary.source:
            summary = self.read(stored.body, stored.id)  # no host name: it goes by its label, "#id" as after a restart
        elif isinstance(summary, Machine):
            summary = _relabel(summary, stored.id)
        summary = _received(summary, stored)
        with self._lock:
            self._entries[stored.id] = Entry(summary, stored.received_at, stored.client)
            self.version += 1

    def changed(self) -> None:
        """Something besides a report changed what the site shows (a machine hidden or shown again)."""
        with self._lock:
            self.version += 1

    def add_phone(self, phone: StoredPhone) -> None:
        with self._lock:
            self._phones.append(phone)
            self._rooms[_room_of(phone)] += 1
            self.version += 1

    def phone_counts(self, room: str) -> tuple[int, int]:
        """(phone checks kept for this room, for the whole site): the bounds a new one must respect."""
        with self._lock:
            return self._rooms.get(room, 0), len(self._phones)

    def phones(self) -> list[StoredPhone]:
        with self._lock:
            return list(self._phones)

    def build(self) -> Built:
        with self._lock:
            if self._built is not None and self._built.version == self.version:
                return self._built
            version = self.version
            entries = list(self._entries.values())
        agg = Aggregator(self.rules, rejudged=self.rejudged, today=self.today)
        hidden = self.store.hidden()
        shown_entries: list[Entry] = []
        kept_apart: dict[tuple[str, str], dict[str, str]] = {}
        for e in entries:
            m = e.summary
            if isinstance(m, Machine) and hidden_key(m) in hidden:
                hid = hidden_key(m)
                kept_apart[hid] = {"machine_id": hid[0], "hostname": m.hostname, "since": hidden[hid]}
                continue
            shown_entries.append(e)
        entries = shown_entries
        for e in entries:
            agg.add(e.summary)
        last_seen: dict[str, str] = {}
        for e in entries:
            if isinstance(e.summary, Machine):
                key = agg.key_of(e.summary)
                if e.received_at > last_seen.get(key, ""):
                    last_seen[key] = e.received_at
        result = agg.result()
        shared = agg.shared_ids()
        flag(result, shared)
        built = Built(version, result, shared, last_seen, sorted(kept_apart.values(), key=lambda h: h["hostname"].lower()))
        with self._lock:
            if self._built is None or self._built.version < version:
                self._built = built
        return built

    def phone_rows(self, profile: Profile) -> list[dict[str, Any]]:
        """Every phone's latest check, judged now (the rules may have changed since). A phone sent
        again shows once, as last sent (phones.replaces: the same name, room and browser, or an
        older check that could not tell the device); checks without a name are all kept
        (identical school phones)."""
        import orjson

        shown: list[tuple[PhoneCheck | None, PhoneVerdict, dict[str, Any]]] = []
        for p in self.phones():
            try:
                doc = orjson.loads(p.body)
            except orjson.JSONDecodeError:
                continue  # never stored: the server refuses what it cannot read
            check: PhoneCheck | None
            try:
                read = PhoneCheck.read(doc)
            except NotAPhoneCheck as exc:  # kept by an older readiness that took it: shown, not judged
                check, verdict = None, unreadable(exc.reason)
            else:
                check, verdict = read, judge_phone(read, profile)
            raw = doc if isinstance(doc, dict) else {}
            row = {"id": p.id, "received_at": p.received_at,
                   "name": check.name if check else text_of(raw.get("name")),
                   "room": check.room if check else text_of(raw.get("room")),
                   "app_version": check.app_version if check else text_of(raw.get("app_version")),
                   **verdict.to_dict()}
            if check is not None:  # the newest goes last, in the order of arrival
                shown = [o for o in shown if o[0] is None or not replaces(check, o[0], o[1])]
            shown.append((check, verdict, row))
        return [row for _, _, row in shown]


def _relabel(m: Machine, rid: int) -> Machine:
    return m._replace(source=label(rid))


def _received(summary: Machine | Rejected, stored: StoredReport) -> Machine | Rejected:
    """A machine as the server received it: its receive time bounds what its checked_at may claim."""
    return summary._replace(received_at=stored.received_at) if isinstance(summary, Machine) else summary


def _room_of(phone: StoredPhone) -> str:
    import orjson

    try:
        return PhoneCheck.read(orjson.loads(phone.body)).room_key
    except (orjson.JSONDecodeError, NotAPhoneCheck):
        return ""
