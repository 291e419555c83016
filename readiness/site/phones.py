"""The invigilators' phones, judged against the plan's rules (profile keys `phones.*`).

The phone page only collects what a browser can tell (`readiness.phone/1`); the rules are here,
pure functions of that document and the profile, like the PC checks. Where a browser hides a fact
(Safari sends no client hints and no memory; iPhones do not name their model; Chrome's reduced
user agent says "Android 10; K" on every phone) the verdict is "error" (cannot tell) and says what
to look up by hand — never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping

from readiness.core.i18n import Text
from readiness.core.model import Status
from readiness.core.profile import Profile
from readiness.core.refusals import Refused
from readiness import __version__
from readiness.core.versions import compare_versions, parse_version

PHONE_SCHEMA = "readiness.phone/1"
MAX_TEXT = 2000  # user agents are a few hundred characters; names and rooms far less
MAX_FIELD = {"user_agent": 1000, "app_version": 64, "name": 80, "room": 80}  # what a person types is short
MAX_PHONES_PER_ROOM = 60  # a room has a few invigilators; more is a leaked phone link
MAX_PHONES = 3000         # every room of a large site together
STATED_MEMORY_GB = (0.5, 64.0)  # what a phone's settings can show; outside it, a typo (4096 for 4)
MAX_HINT = 200  # a client hint (platform, platformVersion, model, a form factor) is a word or a number
MAX_FORM_FACTORS = 16
DEVICE_MEMORY_CAP = 8  # navigator.deviceMemory never says more, whatever the phone has


class Kind(str, Enum):
    ANDROID = "android"
    ANDROID_TABLET = "android-tablet"
    IPHONE = "iphone"
    IPAD = "ipad"
    COMPUTER = "computer"
    UNKNOWN = "unknown"


KIND_NAMES = {
    Kind.ANDROID: Text("Android phone", "Android 手机"), Kind.ANDROID_TABLET: Text("Android tablet", "Android 平板"),
    Kind.IPHONE: Text("iPhone", "iPhone"), Kind.IPAD: Text("iPad", "iPad"),
    Kind.COMPUTER: Text("computer", "电脑"), Kind.UNKNOWN: Text("unknown device", "未知设备"),
}


@dataclass(frozen=True)
class Device:
    kind: Kind
    os_version: tuple[int, ...] | None
    os_text: str | None  # as the browser said it
    model: str | None
    why: Text  # how the kind was told


@dataclass(frozen=True)
class PhoneResult:
    id: str
    status: Status
    observed: Text
    remedy: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status.value, "observed": self.observed.to_dict(),
                "remedy": self.remedy.to_dict() if self.remedy else None}


@dataclass(frozen=True)
class PhoneVerdict:
    status: Status
    results: tuple[PhoneResult, ...]
    device: Device

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "tool_version": __version__,  # the readiness that judged it
                "results": [r.to_dict() for r in self.results],
                "device": {"kind": self.device.kind.value, "name": KIND_NAMES[self.device.kind].to_dict(),
                           "os_version": self.device.os_text, "model": self.device.model}}


# -- reading the document ---------------------------------------------------------------------

def validate(doc: Any) -> str | None:
    """Why a posted document is not a phone report, or None."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    if doc.get("schema") != PHONE_SCHEMA:
        return f"\"schema\" must be {PHONE_SCHEMA!r}"
    for key, most in MAX_FIELD.items():
        value = doc.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > most):
            return f"{key}: expected a string of at most {most} characters"
    if not isinstance(doc.get("user_agent"), str):
        return "user_agent: missing"
    ch = doc.get("ua_ch")
    if ch is not None:
        if not isinstance(ch, dict):
            return "ua_ch: expected an object or null"
        for key in ("platform", "platformVersion", "model"):
            if ch.get(key) is not None and (not isinstance(ch.get(key), str) or len(ch[key]) > MAX_HINT):
                return f"ua_ch.{key}: expected a string of at most {MAX_HINT} characters"
        if ch.get("mobile") is not None and not isinstance(ch.get("mobile"), bool):
            return "ua_ch.mobile: expected true or false"
        ff = ch.get("formFactors")
        if ff is not None and (not isinstance(ff, list) or len(ff) > MAX_FORM_FACTORS or
                               not all(isinstance(f, str) and len(f) <= MAX_HINT for f in ff)):
            return f"ua_ch.formFactors: expected a list of at most {MAX_FORM_FACTORS} short strings"
    for key in ("device_memory", "max_touch_points"):
        if doc.get(key) is not None and not _is_number(doc.get(key)):
            return f"{key}: expected a number or null"
    stated = doc.get("stated_memory_gb")
    if stated is not None and not (_is_number(stated) and STATED_MEMORY_GB[0] <= stated <= STATED_MEMORY_GB[1]):
        return (f"stated_memory_gb: the memory read in the phone's settings, {STATED_MEMORY_GB[0]:g} to "
                f"{STATED_MEMORY_GB[1]:g} GB, or null")
    screen = doc.get("screen")
    if screen is not None and (not isinstance(screen, dict) or
                               not all(_is_number(screen.get(k)) for k in ("width", "height"))):
        return "screen: expected {\"width\": number, \"height\": number} or null"
    return None


class TooManyPhones(Refused):
    """More phones for one room (or the site) than invigilators exist: a phone link passed around."""


def room_key(doc: Mapping[str, Any]) -> str:
    room = doc.get("room")
    return room.strip().casefold() if isinstance(room, str) else ""


def admit(doc: Mapping[str, Any], in_room: int, in_all: int) -> None:
    """A phone check is kept while its room and the site are within bounds; TooManyPhones else."""
    if in_all >= MAX_PHONES:
        raise TooManyPhones(Text(f"the server keeps at most {MAX_PHONES} phone checks",
                                 f"服务器最多保存 {MAX_PHONES} 条手机检查记录"))
    if in_room >= MAX_PHONES_PER_ROOM:
        raise TooManyPhones(Text(f"the room already has {in_room} phone checks (at most {MAX_PHONES_PER_ROOM}): "
                                 "has the phone link been passed around? Give the invigilators a new phone token",
                                 f"该考场已有 {in_room} 条手机检查记录（最多 {MAX_PHONES_PER_ROOM} 条）：手机链接是否被转发？"
                                 "请为监考人员换一个新的手机令牌"))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) < 1e9


_ANDROID = re.compile(r"Android\s+(\d+(?:\.\d+)*)")
_REDUCED_ANDROID = re.compile(r"Android 10; K\)")  # Chrome's frozen user agent: no real version, no model
_IOS = re.compile(r"(?:iPhone|CPU) OS (\d+(?:_\d+)*) like Mac OS X")


def classify(doc: Mapping[str, Any]) -> Device:
    ua: str = doc.get("user_agent") or ""
    ch = doc.get("ua_ch") if isinstance(doc.get("ua_ch"), dict) else None
    touch = doc.get("max_touch_points") or 0
    platform = (ch or {}).get("platform") or ""
    if platform == "Android" or "Android" in ua:
        return _android(ua, ch)
    if "iPhone" in ua or "iPod" in ua:
        v = _ios_version(ua)
        return Device(Kind.IPHONE, parse_version(v) if v else None, v, "iPhone",
                      Text("an iPhone (its user agent says so)", "iPhone（浏览器标识如此）"))
    if "iPad" in ua:
        v = _ios_version(ua)
        return Device(Kind.IPAD, parse_version(v) if v else None, v, "iPad",
                      Text("an iPad (its user agent says so)", "iPad（浏览器标识如此）"))
    if "Macintosh" in ua and touch > 1:
        return Device(Kind.IPAD, None, None, "iPad",
                      Text(f"an iPad: a Mac user agent with a touch screen ({touch} touch points)",
                           f"iPad：Mac 浏览器标识但有触摸屏（{touch} 个触点）"))
    if platform in ("Windows", "macOS", "Linux", "Chrome OS") or any(
            w in ua for w in ("Windows NT", "Macintosh", "X11", "CrOS")):
        return Device(Kind.COMPUTER, None, None, None,
                      Text("a computer, not a phone", "电脑，而非手机"))
    return Device(Kind.UNKNOWN, None, None, None,
                  Text("a device this page cannot identify", "无法识别的设备"))


def _ios_version(ua: str) -> str | None:
    m = _IOS.search(ua)
    return m.group(1).replace("_", ".") if m else None


def _android(ua: str, ch: Mapping[str, Any] | None) -> Device:
    version: str | None = None
    if ch and isinstance(ch.get("platformVersion"), str) and ch["platformVersion"].strip():
        version = ch["platformVersion"].strip()
    elif not _REDUCED_ANDROID.search(ua):
        m = _ANDROID.search(ua)
        version = m.group(1) if m else None
    model = (ch or {}).get("model") or None
    factors = [f.lower() for f in (ch or {}).get("formFactors") or []]
    if factors:
        why = Text(f"form factors reported by the browser: {', '.join(factors)}",
                   f"浏览器报告的设备类型：{', '.join(factors)}")
        if "mobile" not in factors and "tablet" not in factors:  # "desktop" (a desktop-site request), XR, ...:
            return Device(Kind.UNKNOWN, None, version, model if isinstance(model, str) else None,  # no evidence
                          why + Text(", neither mobile nor tablet", "，既非手机也非平板"))
        tablet = "tablet" in factors and "mobile" not in factors
    elif ch is not None and isinstance(ch.get("mobile"), bool):
        tablet = not ch["mobile"]
        why = Text("the browser's client hints say " + ("mobile" if ch["mobile"] else "not mobile"),
                   "浏览器客户端提示为" + ("移动设备" if ch["mobile"] else "非移动设备"))
    else:
        tablet = "Mobile" not in ua
        why = Text("an Android user agent " + ("without" if tablet else "with") + " \"Mobile\"",
                   "Android 浏览器标识" + ("不含" if tablet else "含有") + "“Mobile”")
    return Device(Kind.ANDROID_TABLET if tablet else Kind.ANDROID,
                  parse_version(version) if version else None, version, model if isinstance(model, str) else None, why)


# -- the rules ----------------------------------------------------------------------------------

def judge_phone(doc: Mapping[str, Any], profile: Profile) -> PhoneVerdict:
    """The verdict; a document the rules cannot read gives "error" with the reason, never an
    exception (a stored phone is judged again at every look at the dashboard)."""
    try:
        return _judge(doc, profile)
    except Exception as exc:  # noqa: BLE001 - one odd phone must not take the dashboard down
        why = f"{type(exc).__name__}: {exc}"[:300]
        unknown = Device(Kind.UNKNOWN, None, None, None, Text("unreadable", "无法读取"))
        return PhoneVerdict(Status.ERROR, (PhoneResult(
            "device", Status.ERROR, Text(f"The rules cannot read what this browser sent ({why}).",
                                         f"无法读取此浏览器发送的信息（{why}）。"),
            Text("Check the phone by hand against the plan.", "请对照预案人工检查手机。")),), unknown)


def _judge(doc: Mapping[str, Any], profile: Profile) -> PhoneVerdict:
    device = classify(doc)
    results = (_device_rule(device, profile), _os_rule(device, profile), _hardware_rule(device, doc, profile),
               _app_rule(device, doc, profile))
    seen = {r.status for r in results}
    status = next((s for s in (Status.FAIL, Status.ERROR, Status.WARN) if s in seen), Status.PASS)
    return PhoneVerdict(status, results, device)


def _device_rule(d: Device, profile: Profile) -> PhoneResult:
    if d.kind in (Kind.ANDROID, Kind.IPHONE):
        return PhoneResult("device", Status.PASS, Text("A phone: ", "手机：") + d.why)
    if d.kind in (Kind.IPAD, Kind.ANDROID_TABLET):
        if profile["phones.tablets_allowed"]:
            return PhoneResult("device", Status.PASS, Text("A tablet (allowed by the profile): ", "平板（配置允许）：") + d.why)
        return PhoneResult("device", Status.FAIL, Text("A tablet: ", "平板：") + d.why,
                           Text("Tablets may not be used for the identity check: use a phone.",
                                "身份核验不得使用平板，请使用手机。"))
    if d.kind is Kind.COMPUTER:
        return PhoneResult("device", Status.FAIL, Text("Opened on ", "在此设备上打开：") + d.why,
                           Text("Open this page on the invigilator's phone (scan the QR code).",
                                "请用监考人员的手机扫码打开本页面。"))
    return PhoneResult("device", Status.ERROR, Text("Cannot tell the kind of device: ", "无法判断设备类型：") + d.why,
                       Text("Check by hand that it is a phone (not a tablet) with Android 8.0+ or an iPhone 6+.",
                            "请人工确认是手机（非平板），Android 8.0 及以上或 iPhone 6 及以上。"))


def _os_rule(d: Device, profile: Profile) -> PhoneResult:
    if d.kind in (Kind.ANDROID, Kind.ANDROID_TABLET):
        minimum, name = profile["phones.android_min_version"], "Android"
        where = Text("Settings → About phone → Android version", "设置 → 关于手机 → Android 版本")
    elif d.kind in (Kind.IPHONE, Kind.IPAD):
        minimum, name = profile["phones.ios_min_version"], "iOS"
        where = Text("Settings → General → About → iOS version", "设置 → 通用 → 关于本机 → iOS 版本")
    else:
        return PhoneResult("os", Status.SKIP, Text("Not a phone: no system to judge.", "非手机：不判断系统版本。"))
    needed = parse_version(minimum) or (0,)
    if d.os_version is None:
        return PhoneResult("os", Status.ERROR, Text(f"This browser does not tell the {name} version.",
                                                    f"此浏览器未提供 {name} 版本。"),
                           Text(f"Check by hand: {where.en} must be {minimum} or newer.",
                                f"请人工查看：{where.zh}，须为 {minimum} 或更高。"))
    observed = Text(f"{name} {d.os_text}", f"{name} {d.os_text}")
    if compare_versions(d.os_version, needed) >= 0:
        return PhoneResult("os", Status.PASS, observed + Text(f" (at least {minimum})", f"（不低于 {minimum}）"))
    return PhoneResult("os", Status.FAIL, observed + Text(f" (older than {minimum})", f"（低于 {minimum}）"),
                       Text(f"Update the system to {name} {minimum} or newer, or use another phone.",
                            f"请将系统升级到 {name} {minimum} 或更高，或更换手机。"))


def _hardware_rule(d: Device, doc: Mapping[str, Any], profile: Profile) -> PhoneResult:
    if d.kind is Kind.ANDROID:
        return _memory_rule(d, doc, profile)
    if d.kind is Kind.IPHONE:
        return _iphone_rule(d, doc, profile)
    return PhoneResult("hardware", Status.SKIP, Text("Not a phone: no model to judge.", "非手机：不判断机型。"))


def _memory_rule(d: Device, doc: Mapping[str, Any], profile: Profile) -> PhoneResult:
    need: float = profile["phones.android_min_memory_gb"]
    by_hand = Text(f"Check by hand: Settings → About phone → RAM must be at least {need:g} GB.",
                   f"请人工查看：设置 → 关于手机 → 运行内存，须不少于 {need:g} GB。")
    model = f"{d.model}: " if d.model else ""
    raw = doc.get("device_memory")
    memory = float(raw) if isinstance(raw, (int, float)) and _is_number(raw) else 0.0
    stated = doc.get("stated_memory_gb")
    if isinstance(stated, (int, float)) and _is_number(stated):  # validated at the door
        observed = Text(f"{model}{stated:g} GB of memory, as stated from the phone's settings",
                        f"{model}运行内存 {stated:g} GB（监考人员按手机设置填写）")
        if memory > 0 and memory * 1.5 < need and memory < DEVICE_MEMORY_CAP:  # the browser shows less for sure
            return PhoneResult("hardware", Status.ERROR, observed + Text(
                f", but the browser reports about {memory:g} GB", f"，但浏览器报告约 {memory:g} GB"), by_hand)
        if stated >= need:
            return PhoneResult("hardware", Status.PASS, observed)
        return PhoneResult("hardware", Status.FAIL, observed + Text(f", less than {need:g} GB", f"，少于 {need:g} GB"),
                           Text(f"Use a phone with at least {need:g} GB of memory.",
                                f"请使用运行内存不少于 {need:g} GB 的手机。"))
    if memory <= 0:
        return PhoneResult("hardware", Status.ERROR, Text(f"{model}this browser does not tell the memory.",
                                                          f"{model}此浏览器未提供内存大小。"), by_hand)
    # navigator.deviceMemory is the RAM rounded to a power of two (0.25 … 8, capped at 8): a value v
    # stands for roughly 0.75·v … 1.5·v. Below the need only when even 1.5·v is.
    observed = Text(f"{model}about {memory:g} GB of memory (as the browser rounds it)",
                    f"{model}内存约 {memory:g} GB（浏览器取整值）")
    if memory >= need:
        return PhoneResult("hardware", Status.PASS, observed)
    if memory * 1.5 < need and memory < DEVICE_MEMORY_CAP:
        return PhoneResult("hardware", Status.FAIL, observed + Text(f", less than {need:g} GB",
                                                                    f"，少于 {need:g} GB"),
                           Text(f"Use a phone with at least {need:g} GB of memory.",
                                f"请使用运行内存不少于 {need:g} GB 的手机。"))
    return PhoneResult("hardware", Status.ERROR, observed + Text(": too coarse to tell", "：取整过粗，无法判断"), by_hand)


def _iphone_rule(d: Device, doc: Mapping[str, Any], profile: Profile) -> PhoneResult:
    oldest = profile["phones.iphone_min_model"]
    by_hand = Text(f"Check by hand: Settings → General → About → Model Name must be iPhone {oldest} or newer.",
                   f"请人工查看：设置 → 通用 → 关于本机 → 型号名称，须为 iPhone {oldest} 或更新机型。")
    if d.os_version is not None and compare_versions(d.os_version, (13,)) >= 0:
        return PhoneResult("hardware", Status.PASS, Text(
            f"iOS {d.os_text} runs only on an iPhone 6s or newer", f"iOS {d.os_text} 仅能运行于 iPhone 6s 及更新机型"))
    screen = doc.get("screen") if isinstance(doc.get("screen"), dict) else None
    width = min(screen["width"], screen["height"]) if screen else None
    if oldest == "6" and width is not None and width >= 375:
        return PhoneResult("hardware", Status.PASS, Text(
            f"A {width:g}-point-wide screen: an iPhone 6 or newer (older iPhones are 320 wide)",
            f"屏幕宽 {width:g} 点：iPhone 6 或更新机型（更早的 iPhone 宽 320）"))
    if oldest == "6s":
        why = Text("on iOS 11/12 an iPhone 6 and a 6s look the same to a browser",
                   "在 iOS 11/12 上，浏览器无法区分 iPhone 6 与 6s")
    elif width is None:
        why = Text("the browser does not tell the screen size", "浏览器未提供屏幕尺寸")
    else:
        why = Text(f"a {width:g}-point-wide screen is an iPhone 5s or SE, or a 6 or newer with Display Zoom",
                   f"宽 {width:g} 点的屏幕可能是 iPhone 5s、SE，或开启了“放大显示”的 6 及更新机型")
    return PhoneResult("hardware", Status.ERROR, Text("Cannot tell the iPhone model: ", "无法判断 iPhone 型号：") + why,
                       by_hand)


def _app_rule(d: Device, doc: Mapping[str, Any], profile: Profile) -> PhoneResult:
    if d.kind in (Kind.ANDROID, Kind.ANDROID_TABLET):
        minimum = profile["phones.android_app_min"]
    elif d.kind in (Kind.IPHONE, Kind.IPAD):
        minimum = profile["phones.ios_app_min"]
    else:
        return PhoneResult("app", Status.SKIP, Text("Not a phone: no app to judge.", "非手机：不判断 App 版本。"))
    typed = (doc.get("app_version") or "").strip()
    version = parse_version(typed)
    if version is None:
        return PhoneResult("app", Status.ERROR,
                           Text(f"No app version typed ({typed!r} is not one)." if typed else "No app version typed.",
                                f"未填写 App 版本（“{typed}”不是版本号）。" if typed else "未填写 App 版本。"),
                           Text(f"Open the identity-check app → About, type its version (at least {minimum}) and send again.",
                                f"请打开身份核验 App → 关于，填写其版本号（须不低于 {minimum}）后重新提交。"))
    observed = Text(f"App {typed}", f"App {typed}")
    if compare_versions(version, parse_version(minimum) or (0,)) >= 0:
        return PhoneResult("app", Status.PASS, observed + Text(f" (at least {minimum})", f"（不低于 {minimum}）"))
    return PhoneResult("app", Status.FAIL, observed + Text(f" (older than {minimum})", f"（低于 {minimum}）"),
                       Text(f"Update the identity-check app to {minimum} or newer.",
                            f"请将身份核验 App 升级到 {minimum} 或更高版本。"))
