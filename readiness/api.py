"""What a check plugin imports, in one place: the built-in checks and third-party ones alike.

A check is a pure function of a machine's facts and the site's profile (docs: README "Design"):

    from readiness.api import Facts, Finding, Profile, Status, Text, check

    @check("my-check", title=Text("My check", "我的检查"))
    def my_check(facts: Facts, profile: Profile) -> Finding: ...

Everything here is the core's; nothing below readiness.core is exposed, so a plugin keeps working
when the PC, site or branch code moves.
"""

from __future__ import annotations

from readiness.core import rules
from readiness.core.facts import Facts, FactUnavailable, NotCollected, field
from readiness.core.i18n import Text, former, join, same
from readiness.core.model import RETRY_REMEDY, Finding, Status
from readiness.core.plugin import check
from readiness.core.profile import Profile
from readiness.core.restore_products import PRODUCT_IDS
from readiness.core.settings import Setting
from readiness.core.units import GB, GIB, gb, gib
from readiness.core.versions import compare_versions, parse_version

__all__ = [
    "GB", "GIB", "PRODUCT_IDS", "RETRY_REMEDY", "Facts", "FactUnavailable", "Finding",
    "NotCollected", "Profile", "Setting", "Status", "Text", "check", "compare_versions", "field",
    "former", "gb", "gib", "join", "parse_version", "rules", "same",
]
