"""The restore check on facts: a product's state read from the product (not its presence), each
product named, installed with an unknown state, the boot marker's evidence, unreadable, settings."""

import pytest

from readiness.core.restore_products import PRODUCTS
from readiness.core.model import Status
from tests.checks.judge import judge_one
from tests.helpers import with_facts

P, W, F = Status.PASS, Status.WARN, Status.FAIL
DAY = 86400.0
T = 1_790_000_000.0


def marker(product, start=None, state=None, **extra):
    p = next(x for x in PRODUCTS if x.id == product)
    where = f"HKLM\\SYSTEM\\CurrentControlSet\\Services\\{p.services[0]}" if p.services else f"installed program {p.name!r}"
    return {"product": p.id, "name": p.name, "marker": where, "start": start, "state": state, **extra}


def judged(loaded, profile, found, boot_marker=None):
    changes = {"restore.found": found}
    if boot_marker is not None:
        changes["restore.boot_marker"] = boot_marker
    return judge_one(loaded, "restore", with_facts(changes), profile)


@pytest.mark.parametrize("product", [p.id for p in PRODUCTS])
def test_each_product_found_warns_and_is_named(loaded, profile, product):
    result = judged(loaded, profile, [marker(product, start=1)])
    name = next(p.name for p in PRODUCTS if p.id == product)
    assert result.status is W
    assert name in result.message.en and name in result.message.zh and name in result.observed.en
    assert "master image" in result.remedy.en and "母盘" in result.remedy.zh


# Which products are on when installed (EWF, FBWF) and which have a state of their own that was not read
@pytest.mark.parametrize("product, observed", [
    ("ewf", "Enhanced Write Filter (EWF)"), ("fbwf", "File-Based Write Filter (FBWF)"),
    ("deep-freeze", "installed, state unknown"), ("uwf", "installed, state unknown"),
    ("shadow-defender", "installed, state unknown"), ("powershadow", "installed, state unknown"),
])
def test_installed_is_not_on_unless_the_product_has_no_state(loaded, profile, product, observed):
    result = judged(loaded, profile, [marker(product, start=0 if product not in ("shadow-defender", "powershadow") else None)])
    assert result.status is W and observed in result.observed.en
    if "unknown" in observed:
        assert "状态未知" in result.observed.zh and "protected by" not in result.message.en
        assert "marker" in result.remedy.en and "标记" in result.remedy.zh


def test_uwf_unread_says_whether_it_is_on_could_not_be_read(loaded, profile):
    found = [marker("uwf", start=0), {"product": "uwf", "name": "Unified Write Filter (UWF)",
                                      "marker": r"WMI root\standardcimv2\embedded UWF_Filter", "start": None,
                                      "state": None, "state_note": "PowerShell did not start"}]
    result = judged(loaded, profile, found)
    assert result.status is W and "whether it is on could not be read" in result.message.en
    assert "PowerShell did not start" in result.message.en and "无法读取其是否开启" in result.message.zh


# A state read from the product decides: frozen/on protect, thawed/off do not (each state pinned)
@pytest.mark.parametrize("product, state, status", [
    ("deep-freeze", "frozen", W), ("deep-freeze", "thawed", P),
    ("uwf", "on", W), ("uwf", "off", P),
    ("deep-freeze", None, W),  # DFC.exe answered with an error: unknown, not protected and not off
])
def test_the_products_own_state_decides(loaded, profile, product, state, status):
    result = judged(loaded, profile, [marker(product, start=2), marker(product, state=state)])
    assert result.status is status
    if state == "thawed":
        assert "installed, thawed" in result.observed.en and "已解冻" in result.observed.zh
    if state == "off":
        assert "installed, off" in result.observed.en


@pytest.mark.parametrize("start, status", [(2, W), (3, W), (4, P)])  # auto, demand (still loads), disabled
def test_a_services_start_under_at_over_disabled(loaded, profile, start, status):
    assert judged(loaded, profile, [marker("ewf", start=start)]).status is status


def test_frozen_fails_by_the_profile_and_unknown_stays_a_warning(loaded, make_profile):
    prof = make_profile(**{"restore.protected_status": "fail"})
    assert judged(loaded, prof, [marker("deep-freeze", state="frozen")]).status is F
    assert judged(loaded, prof, [marker("deep-freeze")]).status is W  # unknown is not "protected"


def test_nothing_found_passes_and_says_what_was_looked_for(loaded, profile):
    result = judged(loaded, profile, [])
    assert result.status is P
    for p in PRODUCTS:
        assert p.id in result.message.en
    assert "restore card" in result.message.en and "还原卡" in result.message.zh


# --- the boot marker: a stamp that a restart came after is proof that changes survive -----------------

def boot(stamps, now):
    return {"path": r"C:\ProgramData\exam-readiness\boot-marker.json", "stamps": stamps, "now": now,
            "written": True, "error": None}


def stamp(i, written_at, uptime_s):
    return {"id": f"s{i}", "written_at": written_at, "uptime_s": uptime_s}


@pytest.mark.parametrize("earlier, now, survived", [
    (stamp(1, T, 600.0), stamp(2, T + DAY, 599.0), True),     # uptime went back: a restart
    (stamp(1, T, 600.0), stamp(2, T + 10, 610.0), False),     # the same boot, 10 s later
    (stamp(1, T, 600.0), stamp(2, T + 3600, 1200.0), True),   # longer up now, but this boot began after the stamp
    (stamp(1, T, 600.0), stamp(2, T + 299 + 900, 900.0), False),  # began 299 s after the stamp: within the slack
    (stamp(1, T, 600.0), stamp(2, T + 300 + 900, 900.0), False),  # 300 s after: at it
    (stamp(1, T, 600.0), stamp(2, T + 301 + 900, 900.0), True),   # 301 s after: over it
])
def test_the_marker_and_a_restart(loaded, profile, earlier, now, survived):
    result = judged(loaded, profile, [marker("shadow-defender")], boot([earlier], now))
    assert (result.status is P) is survived
    if survived:
        assert "changes survive a restart (the marker from" in result.observed.en and "标记仍在" in result.observed.zh


def test_the_marker_never_outweighs_a_state_read_as_on(loaded, profile):
    """Boot Thawed, check (a stamp), restart frozen: the stamp survived, but changes made now do not."""
    result = judged(loaded, profile, [marker("deep-freeze", state="frozen")],
                    boot([stamp(1, T, 600.0)], stamp(2, T + DAY, 60.0)))
    assert result.status is W


def test_no_product_and_a_surviving_marker_says_so(loaded, profile):
    result = judged(loaded, profile, [], boot([stamp(1, T, 600.0)], stamp(2, T + DAY, 60.0)))
    assert result.status is P and "the marker from 2026-" in result.message.en


def test_a_snapshot_without_the_marker_judges_as_before(loaded, profile):
    facts = with_facts({"restore.found": [marker("shadow-defender")]})
    facts["restore"].pop("boot_marker", None)
    assert judge_one(loaded, "restore", facts, profile).status is W


@pytest.mark.parametrize("bad", [None, "x", {"stamps": "x", "now": None}, {"stamps": [{"id": 1}], "now": {}},
                                 {"stamps": [stamp(1, float("nan"), 1.0)], "now": stamp(2, T, 0.0)}])
def test_a_broken_marker_is_no_evidence(loaded, profile, bad):
    facts = with_facts({"restore.found": [marker("shadow-defender")]})
    facts["restore"]["boot_marker"] = bad
    result = judge_one(loaded, "restore", facts, profile)
    assert result.status in (W, Status.ERROR)


@pytest.mark.parametrize("changes", [
    {"restore": None, "errors": {"restore": "restore software and write filters are read from the Windows registry, "
                                            "on Windows only"}},
    {"restore.found": None},
    {"restore.found": "DeepFrz"},
    {"restore.found": [{"name": "no product id"}]},
])
def test_unreadable_is_cannot_tell(loaded, profile, changes):
    assert judge_one(loaded, "restore", with_facts(changes), profile).status is Status.ERROR


def test_a_snapshot_from_before_the_check_skips_and_a_current_one_without_it_cannot_tell(loaded, profile):
    facts = with_facts({})
    del facts["restore"]
    old = judge_one(loaded, "restore", facts, profile)
    assert old.status is Status.SKIP and "readiness 0.1.0" in old.message.en and "0.2.0" in old.message.zh
    damaged = judge_one(loaded, "restore", with_facts({"tool.version": "0.2.0"}, facts), profile)
    assert damaged.status is Status.ERROR and "restore.found" in damaged.observed.en


def test_only_the_products_in_the_profile_count(loaded, make_profile):
    facts = with_facts({"restore.found": [marker("uwf", start=0)]})
    result = judge_one(loaded, "restore", facts, make_profile(**{"restore.products": ["deep-freeze"]}))
    assert result.status is P and "deep-freeze" in result.message.en and "uwf" not in result.message.en


def test_a_disabled_driver_is_installed_but_off(loaded, profile):
    result = judged(loaded, profile, [marker("ewf", start=4)])
    assert result.status is P and "not active" in result.message.en


def test_the_uwf_remedy_is_the_documented_one(loaded, profile):
    remedy = judged(loaded, profile, [marker("uwf", state="on")]).remedy
    assert "uwfmgr filter disable" in remedy.en and "uwfmgr file commit" in remedy.en
    assert "uwfmgr registry commit" in remedy.en and "`uwfmgr servicing enable`" not in remedy.en
    assert "uwfmgr filter disable" in remedy.zh


def test_an_unknown_product_in_the_profile_is_refused(make_profile):
    with pytest.raises(Exception, match="cold-restore"):
        make_profile(**{"restore.products": ["cold-restore"]})
