"""The emergency plan's rules that more than one part of the tool applies, written once.

A PC's check, the site's aggregate, the site server and the rehearsal all call these, so a PC
and its site can never disagree on what "registered", "enough downlink" or "ready" means. The
profile keys read here are declared by the core (readiness.core.settings.PLAN_SETTINGS), never by a
plugin: a check that fails to load cannot take a core rule with it.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any, Iterable, Protocol

from readiness.core.status import Status


class Values(Protocol):
    """What a rule reads of a profile (readiness.core.profile.Profile is one): its values by key. The
    rulebook stays below the profile and its settings, which declare its defaults."""

    def __getitem__(self, key: str) -> Any: ...


# --- Verdicts ----------------------------------------------------------------------------------

# Worst first: one failing check makes a PC not ready; a check that could not decide makes it
# undetermined (never ready); a warning still counts as ready. SKIP (deliberately not checked)
# counts as a pass.
PRECEDENCE: tuple[Status, ...] = (Status.FAIL, Status.ERROR, Status.WARN, Status.PASS, Status.SKIP)
SEVERITY: dict[str, int] = {s.value: i for i, s in enumerate(PRECEDENCE)}  # for sorting worst first
EXIT_CODES: dict[Status, int] = {Status.PASS: 0, Status.WARN: 0, Status.SKIP: 0, Status.FAIL: 1, Status.ERROR: 3}


def overall(statuses: Iterable[str]) -> Status:
    """One verdict from many (plain values or Status members): any fail, else any error, else
    any warn, else pass. Nothing at all is a pass: the caller decides whether "nothing" is ready."""
    present = {getattr(s, "value", s) for s in statuses}
    for status in PRECEDENCE[:3]:
        if status.value in present:
            return status
    return Status.PASS


def severity(status: str) -> int:
    """A sort key, worst first; an unknown value sorts last."""
    return SEVERITY.get(getattr(status, "value", status), len(PRECEDENCE))


def exit_code(status: Status) -> int:
    """0 ready (warnings allowed), 1 not ready, 3 could not decide."""
    return EXIT_CODES[status]


# --- Downlink: 100 Mbit/s per 50 seats, 500 per 100 in listening exams ----------------------------

PLAN_LOAD_S = 80  # the plan: on a good network each PC loads its paper in about 80 s


def per_seat_mbps(profile: Values, listening: bool) -> float:
    """The plan's rate a seat: 2 Mbit/s, 5 in listening exams (both from the profile)."""
    return profile["bandwidth.listening_per_seat_mbps"] if listening else profile["bandwidth.per_seat_mbps"]


def required_mbps(profile: Values, seats: int, listening: bool) -> float:
    return seats * per_seat_mbps(profile, listening)


def downlink_status(measured_mbps: float, required: float, tolerance_percent: float) -> Status:
    """Enough passes; up to the tolerance below the requirement warns; less fails."""
    if measured_mbps >= required:
        return Status.PASS
    return Status.WARN if measured_mbps >= required * (1 - tolerance_percent / 100) else Status.FAIL


def load_seconds(seats: int, paper_mb: float, mbps: float) -> float:
    """All seats fetching one paper at once over the site's downlink (decimal MB)."""
    return seats * paper_mb * 8 / mbps


# --- Seats and reports ------------------------------------------------------------------------------

def every_seat_reported(seats: int | None, reports: int) -> bool:
    """Every expected seat has a report: as many PCs as seats. More PCs than seats is not that: a
    seat count too low, or PCs reporting under two names (which seat is missing cannot be told)."""
    return seats is not None and seats > 0 and reports == seats


# --- The site's registered public IPs -----------------------------------------------------------

def normalize_ip(text: str) -> str:
    """An address as one spelling ("2001:DB8::1" and "2001:db8:0::1" are one address; an IPv4
    address a dual-stack service answers as IPv6, "::ffff:203.0.113.7", is 203.0.113.7); text that
    is no address stays as it is, trimmed, so that it can still be shown and compared."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return text.strip()
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return str(mapped or address)


def registered_set(registered: Iterable[str]) -> set[str]:
    return {normalize_ip(ip) for ip in registered}


def unregistered_ips(seen: Iterable[str], registered: Iterable[str]) -> list[str]:
    """The egress addresses seen that are not registered, each once, in the order first seen."""
    known = registered_set(registered)
    out: list[str] = []
    for ip in seen:
        n = normalize_ip(ip)
        if n not in known and n not in out:
            out.append(n)
    return out


# --- The MSYH font ---------------------------------------------------------------------------------

def is_yahei(names: Iterable[Any], accepted: Iterable[str]) -> bool:
    """A font counts as MSYH when a family name from its name table is one of the accepted
    names (fonts.families), compared as Windows compares font names: without case."""
    wanted = {a.lower() for a in accepted}
    return any(isinstance(n, str) and n.lower() in wanted for n in names)


# The subfamily (name ID 17, else 2) of the one MSYH face the client needs: msyhbd.ttc and
# msyhl.ttc carry the family "Microsoft YaHei" too, as Bold and Light.
REGULAR_STYLES = ("regular", "normal")


def is_regular_style(style: str | None) -> bool:
    """Whether a font's subfamily is the Regular one. None (a snapshot from before the style was
    recorded) is not held against it: the check then judges the family alone, as it did."""
    return style is None or style.strip().lower() in REGULAR_STYLES


# --- OpenGL/Level in the client's user.ini ---------------------------------------------------------

def opengl_level_ok(level: str | None, prescribed: str) -> bool:
    """The value the plan prescribes (client.opengl_level, "0"), spacing aside; unset is not."""
    return level is not None and level.strip() == prescribed.strip()


# --- The PC's clock ----------------------------------------------------------------------------------

DATE_RESOLUTION_S = 1.0  # an HTTP Date header names whole seconds (RFC 9110 §5.6.7)


def clock_offset(server_s: float, sent_s: float, received_s: float,
                 resolution_s: float = DATE_RESOLUTION_S) -> tuple[float, float]:
    """(offset, uncertainty) of the local clock against a server's, in seconds: the server read its
    clock somewhere between our send and our receive, so the midpoint is the best guess and half
    the round trip (plus the server's resolution) is how wrong that guess can be. A positive offset
    means this PC is behind."""
    rtt = max(0.0, received_s - sent_s)
    return server_s - (sent_s + received_s) / 2, rtt / 2 + resolution_s


def clock_off_by(offset_s: float, uncertainty_s: float) -> float:
    """How far off the clock surely is: the round trip and resolution are given to the PC, so a
    slow answer never makes a right clock look wrong."""
    return max(0.0, abs(offset_s) - uncertainty_s)


def clock_status(off_by_s: float, warn_s: float, fail_s: float) -> Status:
    """Within warn_s passes, within fail_s warns, beyond fails (both bounds inclusive). A fail
    bound set below the warn bound wins: the profile cannot make a worse clock pass."""
    if off_by_s > fail_s:
        return Status.FAIL
    return Status.PASS if off_by_s <= min(warn_s, fail_s) else Status.WARN


# Windows Time on a stand-alone PC does not correct a clock off by more than MaxPosPhaseCorrection
# / MaxNegPhaseCorrection (Microsoft Learn, "Windows Time service tools and settings": 54,000 s,
# 15 hours, by default): after a CMOS reset "Sync now" does nothing, the date is set by hand first.
W32TIME_MAX_CORRECTION_S = 54000.0


def beyond_w32time(off_by_s: float) -> bool:
    """Whether Windows Time refuses to correct an offset this large (over the limit; at it corrects)."""
    return off_by_s > W32TIME_MAX_CORRECTION_S


def deciding_clock(exam: list[Any], site: list[Any]) -> Any:
    """The measurement the clock is judged by ({offset_s, uncertainty_s}): the exam server's when one
    answered (the one that agrees best, if several do), the site server's only without it: a site
    laptop with the same wrong clock as the PC must not outvote the exam server. None: neither."""
    pool = exam or site
    return min(pool, key=lambda m: clock_off_by(m["offset_s"], m["uncertainty_s"])) if pool else None


PLAN_UTC_OFFSET = "+08:00"  # the plan's exam times are China Standard Time
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
UTC_OFFSETS_S = (-12 * 3600.0, 14 * 3600.0)  # the zones Windows lists run from UTC-12:00 to UTC+14:00


def utc_offset_s(text: str) -> float | None:
    """"+08:00" (or "+0800", "-03:30") as seconds east of UTC; None for anything else. Offsets run
    from -12:00 to +14:00 (UTC_OFFSETS_S)."""
    m = _OFFSET.match(text.strip()) if isinstance(text, str) else None
    if m is None or int(m.group(3)) >= 60:
        return None
    seconds = (int(m.group(2)) * 60 + int(m.group(3))) * 60 * (-1 if m.group(1) == "-" else 1)
    return float(seconds) if UTC_OFFSETS_S[0] <= seconds <= UTC_OFFSETS_S[1] else None


def exam_utc_offset(starts_at: Iterable[Any], fallback: str) -> tuple[float | None, str]:
    """The exam's offset from UTC and where it comes from: the first start in exam.starts_at that
    carries one ("2026-12-05T08:30:00+08:00"), else the profile's clock.utc_offset."""
    from datetime import datetime

    for text in starts_at:
        try:
            when = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            continue
        offset = when.utcoffset()
        if offset is not None:
            return offset.total_seconds(), "exam.starts_at"
    return utc_offset_s(fallback), "clock.utc_offset"


def zone_matches(pc_offset_s: float, exam_offset_s: float) -> bool:
    """The PC's zone shows the exam's times as the exam does: the same offset from UTC, to the minute."""
    return round(pc_offset_s / 60) == round(exam_offset_s / 60)


# --- Protection that undoes changes at restart (restore software, write filters) ----------------------

SERVICE_DISABLED = 4  # a service's Start value when Windows will not load it (SERVICE_DISABLED, winsvc.h)
# A state read from the product itself (Deep Freeze's DFC.exe, UWF's WMI provider): these two say
# changes are lost at restart, these two say they are kept. Any other value is "not read".
PROTECTING_STATES = ("on", "frozen")
NOT_PROTECTING_STATES = ("off", "thawed")
ON, OFF, UNKNOWN = "on", "off", "unknown"


def product_states(found: Iterable[Any]) -> dict[str, str]:
    """Each product found (facts' restore.found) as on, off or unknown, in the order first found.
    A state the product reported decides (any protecting state wins over an off one). Without one,
    a product whose every service is disabled (Start = 4; demand start, 3, still loads) is off; one
    whose installation means it is on (EWF, FBWF: the driver filters once it loads) is on; any
    other (Deep Freeze, UWF, Shadow Defender, 影子系统: installed long before, or without, being on)
    is unknown. One rule for the restore check and for fix's warning."""
    from readiness.core.restore_products import PRODUCTS

    on_when_installed = {p.id for p in PRODUCTS if p.on_when_installed}
    items: dict[str, list[dict[str, Any]]] = {}
    for item in found:
        if isinstance(item, dict) and isinstance(item.get("product"), str):
            items.setdefault(item["product"], []).append(item)
    out: dict[str, str] = {}
    for product, markers in items.items():
        states = {m.get("state") for m in markers}
        services = [m for m in markers if m.get("start") is not None]
        if states & set(PROTECTING_STATES):
            out[product] = ON
        elif states & set(NOT_PROTECTING_STATES):
            out[product] = OFF
        elif services and all(m.get("start") == SERVICE_DISABLED for m in services):
            out[product] = OFF
        else:
            out[product] = ON if product in on_when_installed else UNKNOWN
    return out


def protection_on(found: Iterable[Any]) -> list[dict[str, Any]]:
    """The markers (facts' restore.found) of the products that are on: changes are lost at restart."""
    found = [f for f in found if isinstance(f, dict)]
    on = {p for p, state in product_states(found).items() if state == ON}
    return [f for f in found if f.get("product") in on and f.get("state") not in NOT_PROTECTING_STATES
            and f.get("start") != SERVICE_DISABLED]


RESTART_SLACK_S = 300.0  # a boot time read twice in one boot differs by the clock's own drift and steps


def restarted_between(earlier: Any, later: Any) -> bool:
    """Whether the PC restarted between two of the boot marker's stamps ({written_at, uptime_s},
    Unix seconds): its uptime went back (nothing else resets it), or the later boot began after
    the earlier stamp was written. A clock set forward by hand, without a restart, by more than
    the earlier uptime reads as a restart too (said in the README)."""
    try:
        e_at, e_up = float(earlier["written_at"]), float(earlier["uptime_s"])
        l_at, l_up = float(later["written_at"]), float(later["uptime_s"])
    except (KeyError, TypeError, ValueError):
        return False
    if not all(map(math.isfinite, (e_at, e_up, l_at, l_up))):
        return False
    return l_up < e_up or (l_at - l_up) > e_at + RESTART_SLACK_S


def survived_restart(stamps: Iterable[Any], now: Any) -> Any:
    """The newest stamp of the boot marker (the stamps as read, oldest first) that a restart came
    after: the file outlived that restart, so changes survive one. None: no such stamp (no marker,
    or no restart since it was written)."""
    chain = [s for s in stamps if isinstance(s, dict)] + [now]
    found = None
    for earlier, later in zip(chain, chain[1:]):
        if restarted_between(earlier, later):
            found = earlier
    return found


def marker_lost(written_ids: Iterable[str], read_ids: Iterable[str]) -> bool:
    """The site's rule: an earlier report of the machine says its check left a marker (its id), and a
    later one read the marker without that id (gone, or an older one back): the machine lost what
    was written to its disk in between, as a frozen PC does at restart."""
    kept = set(read_ids)
    return any(i not in kept for i in written_ids)


# --- The chain of command on exam day: site -> branch -> headquarters ------------------------------

ESCALATE_BEFORE_S = 300.0  # the plan: a problem not solved 5 minutes before the start goes up the chain
INVIGILATORS_BEFORE_S = 48 * 3600.0  # the plan: invigilators assigned 48 hours before the start
STALE_HEARTBEATS = 3  # a sender silent for this many of its own heartbeats is stale
HEARTBEAT_S = (5.0, 600.0)  # a sender's heartbeat: its level knows within half an hour at most that it went silent
EXAM_DURATION_S = 5400.0  # how long a start stays "the exam under way" unless the profile says (exam.duration_s)
MISSING_ESCALATE_SHARE = 0.1  # inside the window, more than this share of a site's seats unreported escalates it


def is_ready(status: str | None) -> bool:
    """Ready: pass or warn. A fail is not ready; an error (could not decide) or no verdict is not
    ready either: nobody can say it is."""
    return getattr(status, "value", status) in (Status.PASS.value, Status.WARN.value, Status.SKIP.value)


def is_stale(now_s: float, last_seen_s: float | None, heartbeat_s: float) -> bool:
    """Nothing has come for STALE_HEARTBEATS heartbeats (never heard of is not "stale", it is unknown)."""
    return last_seen_s is not None and now_s - last_seen_s > STALE_HEARTBEATS * heartbeat_s


def exam_under_way_or_next(starts_s: Iterable[float], now_s: float, duration_s: float) -> float | None:
    """The start that matters now: an exam under way (started less than duration_s ago), else the
    next one; None when every start is past."""
    running = [s for s in starts_s if s <= now_s < s + duration_s]
    if running:
        return max(running)
    ahead = [s for s in starts_s if s > now_s]
    return min(ahead) if ahead else None


def exam_after(starts_s: Iterable[float], start_s: float | None) -> float | None:
    """The start that follows the one that matters now (exam_under_way_or_next): while exam A is
    under way, exam B starting soon is shown beside it."""
    later = [s for s in starts_s if start_s is not None and s > start_s]
    return min(later) if later else None


def too_many_missing(missing: int | None, seats: int | None, share: float) -> bool:
    """More than `share` of the seats have no report (at the share exactly: not yet). Unknown seats
    or an unknown count decide nothing here (the site's verdict does)."""
    return missing is not None and seats is not None and seats > 0 and missing > share * seats + 1e-9


def in_escalation_window(now_s: float, start_s: float | None, before_s: float, duration_s: float) -> bool:
    """From escalate_before_s before a start until the exam is over."""
    return start_s is not None and start_s - before_s <= now_s < start_s + duration_s


def escalation_cause(now_s: float, start_s: float | None, before_s: float, duration_s: float, ready: bool,
                     last_seen_s: float | None, stale: bool, missing: int | None = None, seats: int | None = None,
                     missing_share: float = MISSING_ESCALATE_SHARE) -> str | None:
    """Why the plan escalates a sender now, or None: inside the window, one never heard from at all
    ("never_heard"); one whose last word came before the window opened and that has gone silent
    since ("silent": it cannot say it is ready); one that is not ready ("not_ready"); one with more
    than missing_share of its seats unreported ("missing": many candidates cannot enter)."""
    if not in_escalation_window(now_s, start_s, before_s, duration_s):
        return None
    assert start_s is not None
    if last_seen_s is None:
        return "never_heard"
    if stale and last_seen_s < start_s - before_s:
        return "silent"
    if not ready:
        return "not_ready"
    if too_many_missing(missing, seats, missing_share):
        return "missing"
    return None


def escalate(now_s: float, start_s: float | None, before_s: float, duration_s: float, ready: bool,
             last_seen_s: float | None, stale: bool) -> bool:
    """The plan's escalation (escalation_cause, without the seats)."""
    return escalation_cause(now_s, start_s, before_s, duration_s, ready, last_seen_s, stale) is not None
