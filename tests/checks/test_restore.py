"""The restore check on facts: each product named, none found, unreadable, settings."""

import pytest

from readiness.pc.collect.restore import PRODUCTS
from readiness.core.model import Status
from tests.checks.judge import judge_one
from tests.helpers import with_facts


def marker(product, start=None, state=None):
    p = next(x for x in PRODUCTS if x.id == product)
    where = f"HKLM\\SYSTEM\\CurrentControlSet\\Services\\{p.services[0]}" if p.services else f"installed program {p.name!r}"
    return {"product": p.id, "name": p.name, "marker": where, "start": start, "state": state}


@pytest.mark.parametrize("product", [p.id for p in PRODUCTS])
def test_each_product_found_warns_and_is_named(loaded, profile, product):
    result = judge_one(loaded, "restore", with_facts({"restore.found": [marker(product, start=1)]}), profile)
    name = next(p.name for p in PRODUCTS if p.id == product)
    assert result.status is Status.WARN
    assert name in result.message.en and name in result.message.zh and name in result.observed.en
    assert "master image" in result.remedy.en and "母盘" in result.remedy.zh


def test_nothing_found_passes_and_says_what_was_looked_for(loaded, profile):
    result = judge_one(loaded, "restore", with_facts({"restore.found": []}), profile)
    assert result.status is Status.PASS
    for p in PRODUCTS:
        assert p.id in result.message.en
    assert "restore card" in result.message.en and "还原卡" in result.message.zh


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


def test_protected_status_fail_fails(loaded, make_profile):
    result = judge_one(loaded, "restore", with_facts({"restore.found": [marker("deep-freeze")]}),
                       make_profile(**{"restore.protected_status": "fail"}))
    assert result.status is Status.FAIL


def test_only_the_products_in_the_profile_count(loaded, make_profile):
    facts = with_facts({"restore.found": [marker("uwf", start=0)]})
    result = judge_one(loaded, "restore", facts, make_profile(**{"restore.products": ["deep-freeze"]}))
    assert result.status is Status.PASS and "deep-freeze" in result.message.en and "uwf" not in result.message.en


def test_a_disabled_driver_is_installed_but_off(loaded, profile):
    result = judge_one(loaded, "restore", with_facts({"restore.found": [marker("ewf", start=4)]}), profile)
    assert result.status is Status.PASS and "not active" in result.message.en


def test_an_unknown_product_in_the_profile_is_refused(make_profile):
    with pytest.raises(Exception, match="cold-restore"):
        make_profile(**{"restore.products": ["cold-restore"]})
