"""The PC's time zone, for the clock check: a clock right in UTC shows the exam's times wrong in
another zone. Read on Windows (the exam PCs) with GetDynamicTimeZoneInformation: the zone's key
name and its bias now. Elsewhere it is unknown, like the other Windows-only facts, and the clock
check judges the clock alone (a developer's Linux box is no exam PC in another zone)."""

from __future__ import annotations

import os
from typing import Any

from readiness.core.i18n import Text
from readiness.pc.collect.system import Unknown


def collect_time_zone() -> dict[str, Any]:
    """{key, name, bias_min, utc_offset_s, daylight, source}: utc_offset_s is the offset from UTC
    now (east positive, daylight saving time included), bias_min Windows' bias (UTC = local + bias)."""
    if os.name != "nt":
        raise Unknown(Text("the time zone is read from Windows, on Windows only", "时区从 Windows 读取，仅在 Windows 上可用"))
    from readiness.core.win32 import dynamic_time_zone

    tz = dynamic_time_zone()
    return {"key": tz.key or None, "name": tz.standard_name or None, "bias_min": tz.bias_min,
            "utc_offset_s": -60 * tz.bias_min, "daylight": tz.daylight, "source": "GetDynamicTimeZoneInformation"}
