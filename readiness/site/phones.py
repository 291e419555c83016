"""The invigilators' phones, judged against the plan's rules (profile keys `phones.*`).

The phone page only collects what a browser can tell (`readiness.phone/1`); the rules are here,
pure functions of that document (read once at the door into a PhoneCheck) and the profile, like
the PC checks. Where a browser hides a fact
(Safari sends no client hints and no memory; iPhones do not name their model; Chrome's reduced
user agent says "Android 10; K" on every phone) the verdict is "error" (cannot tell) and says what
to look up by hand — never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from readiness.core.i18n import Text
from readiness.core.model import Status
from readiness.core.profile import Profile
from readiness import __version__
from readiness.core.reading import number
from readiness.core.refusals import Invalid, Refused
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
    ANDROID_DEVICE = "android-device"  # Android, but the browser does not say phone or tablet ("desktop" mode)
    IPHONE = "iphone"
    IPAD = "ipad"
    COMPUTER = "computer"
    UNKNOWN = "unknown"


KIND_NAMES = {
    Kind.ANDROID: Text("Android phone", "Android 手机"), Kind.ANDROID_TABLET: Text("Android tablet", "Android 平板"),
    Kind.ANDROID_DEVICE: Text("Android phone or tablet", "Android 手机或平板"),
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


# -- reading the document, once, at its door --------------------------------------------------

class NotAPhoneCheck(Invalid):
    """What was posted is not a phone check, or holds a value no phone could give; the reason is
    said in both languages where it is found."""


def _not_a_check(en: str, zh: str) -> NotAPhoneCheck:
    return NotAPhoneCheck(Text(f"not a phone check: {en}", f"不是手机检查报告：{zh}"))


@dataclass(frozen=True)
class Hints:
    """The browser's user-agent client hints (Chromium): "" or None where it kept one back."""
    platform: str
    platform_version: str
    model: str
    mobile: bool | None
    form_factors: tuple[str, ...] | None  # lower case


@dataclass(frozen=True)
class PhoneCheck:
    """A `readiness.phone/1` as the rules and the pages read it: every value of its type."""
    user_agent: str
    hints: Hints | None
    device_memory: float | None  # navigator.deviceMemory, GB, rounded, at most 8
    max_touch_points: float
    stated_memory_gb: float | None  # typed from the phone's settings
    screen: tuple[float, float] | None  # width, height in CSS pixels
    app_version: str
    name: str
    room: str

    @classmethod
    def read(cls, doc: Any) -> PhoneCheck:
        """The check, or NotAPhoneCheck saying what is wrong (a stored check is read the same way)."""
        if not isinstance(doc, dict):
            raise _not_a_check("not a JSON object", "不是 JSON 对象")
        if doc.get("schema") != PHONE_SCHEMA:
            raise _not_a_check(f"\"schema\" must be {PHONE_SCHEMA!r}", f"“schema”须为 {PHONE_SCHEMA!r}")
        for key, most in MAX_FIELD.items():
            value = doc.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > most):
                if key in TYPED and isinstance(value, str):  # what a person typed: said as such
                    en, zh = TYPED[key]
                    raise NotAPhoneCheck(Text(f"{en} is too long: at most {most} characters ({key})",
                                              f"{zh}过长：最多 {most} 个字符"))
                raise _not_a_check(f"{key}: expected a string of at most {most} characters",
                                   f"{key} 须为不超过 {most} 个字符的文本")
        if not isinstance(doc.get("user_agent"), str):
            raise _not_a_check("user_agent: missing", "缺少 user_agent（浏览器标识）")
        for key in ("device_memory", "max_touch_points"):
            if doc.get(key) is not None and not _is_number(doc.get(key)):
                raise _not_a_check(f"{key}: expected a number or null", f"{key} 须为数字或 null")
        screen = doc.get("screen")
        if screen is not None and (not isinstance(screen, dict) or
                                   not all(_is_number(screen.get(k)) for k in ("width", "height"))):
            raise _not_a_check("screen: expected {\"width\": number, \"height\": number} or null",
                               "screen 须为 {\"width\": 数字, \"height\": 数字} 或 null")
        return cls(user_agent=doc["user_agent"], hints=_hints(doc.get("ua_ch")),
                   device_memory=number(doc.get("device_memory")), max_touch_points=number(doc.get("max_touch_points")) or 0.0,
                   stated_memory_gb=_stated(doc.get("stated_memory_gb")),
                   screen=None if screen is None else (float(screen["width"]), float(screen["height"])),
                   app_version=(doc.get("app_version") or "").strip(), name=doc.get("name") or "",
                   room=doc.get("room") or "")

    @property
    def room_key(self) -> str:
        """The room as counted against MAX_PHONES_PER_ROOM: trimmed, without case."""
        return self.room.strip().casefold()


TYPED = {"app_version": ("The app version", "App 版本"), "name": ("The name", "姓名"), "room": ("The room", "考场")}


def _hints(ch: Any) -> Hints | None:
    if ch is None:
        return None
    if not isinstance(ch, dict):
        raise _not_a_check("ua_ch: expected an object or null", "ua_ch 须为对象或 null")
    for key in ("platform", "platformVersion", "model"):
        if ch.get(key) is not None and (not isinstance(ch.get(key), str) or len(ch[key]) > MAX_HINT):
            raise _not_a_check(f"ua_ch.{key}: expected a string of at most {MAX_HINT} characters",
                               f"ua_ch.{key} 须为不超过 {MAX_HINT} 个字符的文本")
    if ch.get("mobile") is not None and not isinstance(ch.get("mobile"), bool):
        raise _not_a_check("ua_ch.mobile: expected true or false", "ua_ch.mobile 须为 true 或 false")
    ff = ch.get("formFactors")
    if ff is not None and (not isinstance(ff, list) or len(ff) > MAX_FORM_FACTORS or
                           not all(isinstance(f, str) and len(f) <= MAX_HINT for f in ff)):
        raise _not_a_check(f"ua_ch.formFactors: expected a list of at most {MAX_FORM_FACTORS} short strings",
                           f"ua_ch.formFactors 须为不超过 {MAX_FORM_FACTORS} 个短文本的列表")
    return Hints(platform=ch.get("platform") or "", platform_version=(ch.get("platformVersion") or "").strip(),
                 model=ch.get("model") or "", mobile=ch.get("mobile"),
                 form_factors=None if ff is None else tuple(f.lower() for f in ff))


def _stated(stated: Any) -> float | None:
    """The memory the invigilator typed, GB; a value no phone's settings show is refused with what
    is wrong with it (a typo such as 4096 for 4, or MB for GB), not as "not a phone check"."""
    if stated is None:
        return None
    low, high = STATED_MEMORY_GB
    if not _is_number(stated):
        raise NotAPhoneCheck(Text(
            f"The memory typed is not a number: type the RAM from Settings → About phone in GB, {low:g} to {high:g} "
            "(stated_memory_gb)",
            f"填写的运行内存不是数字：请按 设置 → 关于手机 → 运行内存 填写，单位 GB，{low:g} 至 {high:g}"))
    if not low <= stated <= high:
        hint_en, hint_zh = ((f" (in MB? {stated:g} MB is {stated / 1024:.3g} GB)",
                             f"（是否按 MB 填写？{stated:g} MB 即 {stated / 1024:.3g} GB）") if stated >= 256 else ("", ""))
        raise NotAPhoneCheck(Text(
            f"The memory typed, {stated:g} GB, is not what a phone has{hint_en}: type the RAM from Settings → About "
            f"phone in GB, {low:g} to {high:g} (stated_memory_gb)",
            f"填写的运行内存 {stated:g} GB 不是手机可能有的数值{hint_zh}：请按 设置 → 关于手机 → 运行内存 填写，"
            f"单位 GB，{low:g} 至 {high:g}"))
    return float(stated)


def replaces(newer: PhoneCheck, older: PhoneCheck, older_verdict: PhoneVerdict) -> bool:
    """Whether a newer check stands for the phone of an older one, which then is no longer shown:
    the same invigilator's name (not empty: identical school phones send none) and room, and the
    same browser (pressed twice, the app updated) or an older check that could not tell the
    device (sent in "desktop site" mode, then again without it: another user agent)."""
    if not newer.name.strip() or (newer.name.strip().casefold(), newer.room_key) != (
            older.name.strip().casefold(), older.room_key):
        return False
    untold = any(r.id == "device" and r.status is Status.ERROR for r in older_verdict.results)
    return newer.user_agent == older.user_agent or untold


class TooManyPhones(Refused):
    """More phones for one room (or the site) than invigilators exist: a phone link passed around."""


def admit(in_room: int, in_all: int) -> None:
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


def classify(check: PhoneCheck) -> Device:
    ua, ch, touch = check.user_agent, check.hints, check.max_touch_points
    platform = ch.platform if ch else ""
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
                      Text(f"an iPad: a Mac user agent with a touch screen ({touch:g} touch points)",
                           f"iPad：Mac 浏览器标识但有触摸屏（{touch:g} 个触点）"))
    if platform in ("Windows", "macOS", "Linux", "Chrome OS") or any(
            w in ua for w in ("Windows NT", "Macintosh", "X11", "CrOS")):
        return Device(Kind.COMPUTER, None, None, None,
                      Text("a computer, not a phone", "电脑，而非手机"))
    return Device(Kind.UNKNOWN, None, None, None,
                  Text("a device this page cannot identify", "无法识别的设备"))


def _ios_version(ua: str) -> str | None:
    m = _IOS.search(ua)
    return m.group(1).replace("_", ".") if m else None


def _android(ua: str, ch: Hints | None) -> Device:
    version: str | None = None
    if ch and ch.platform_version:
        version = ch.platform_version
    elif not _REDUCED_ANDROID.search(ua):
        m = _ANDROID.search(ua)
        version = m.group(1) if m else None
    os_version = parse_version(version) if version else None
    model = (ch.model if ch else "") or None
    factors = list(ch.form_factors or ()) if ch else []
    if factors:
        why = Text(f"form factors reported by the browser: {', '.join(factors)}",
                   f"浏览器报告的设备类型：{', '.join(factors)}")
        if "mobile" not in factors and "tablet" not in factors:  # "desktop" (a desktop-site request), XR, ...:
            return Device(Kind.ANDROID_DEVICE, os_version, version, model,  # an Android device, its form untold
                          why + Text(", neither mobile nor tablet", "，既非手机也非平板"))
        tablet = "tablet" in factors and "mobile" not in factors
    elif ch is not None and ch.mobile is not None:
        tablet = not ch.mobile
        why = Text("the browser's client hints say " + ("mobile" if ch.mobile else "not mobile"),
                   "浏览器客户端提示为" + ("移动设备" if ch.mobile else "非移动设备"))
    else:
        tablet = "Mobile" not in ua
        why = Text("an Android user agent " + ("without" if tablet else "with") + " \"Mobile\"",
                   "Android 浏览器标识" + ("不含" if tablet else "含有") + "“Mobile”")
    return Device(Kind.ANDROID_TABLET if tablet else Kind.ANDROID, os_version, version, model, why)


# -- the rules ----------------------------------------------------------------------------------

def judge_phone(check: PhoneCheck, profile: Profile) -> PhoneVerdict:
    """The verdict; a check the rules cannot judge gives "error" with the reason, never an
    exception (a stored phone is judged again at every look at the dashboard)."""
    try:
        return _judge(check, profile)
    except Exception as exc:  # noqa: BLE001 - one odd phone must not take the dashboard down
        why = f"{type(exc).__name__}: {exc}"[:300]
        return unreadable(Text(why, why))


def unreadable(why: Text) -> PhoneVerdict:
    """The verdict on what cannot be judged (a stored check today's reader refuses): "error", why."""
    unknown = Device(Kind.UNKNOWN, None, None, None, Text("unreadable", "无法读取"))
    return PhoneVerdict(Status.ERROR, (PhoneResult(
        "device", Status.ERROR, Text(f"The rules cannot read what this browser sent ({why.en}).",
                                     f"无法读取此浏览器发送的信息（{why.zh}）。"),
        Text("Check the phone by hand against the plan.", "请对照预案人工检查手机。")),), unknown)


def _judge(check: PhoneCheck, profile: Profile) -> PhoneVerdict:
    device = classify(check)
    results = (_device_rule(device, profile), _os_rule(device, profile), _hardware_rule(device, check, profile),
               _app_rule(device, check, profile))
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
    if d.kind is Kind.ANDROID_DEVICE:
        if profile["phones.tablets_allowed"]:  # a phone or a tablet: either is allowed
            return PhoneResult("device", Status.PASS, Text("An Android phone or tablet (tablets allowed by the "
                                                           "profile): ", "Android 手机或平板（配置允许平板）：") + d.why)
        return PhoneResult("device", Status.ERROR, Text("Cannot tell whether it is a phone or a tablet: ",
                                                        "无法判断是手机还是平板：") + d.why,
                           Text("Turn off \"Desktop site\" in the browser's menu and send again, or check by hand "
                                "that it is a phone, not a tablet.",
                                "请在浏览器菜单中关闭“桌面版网站”后重新提交，或人工确认是手机而非平板。"))
    if d.kind is Kind.COMPUTER:
        return PhoneResult("device", Status.FAIL, Text("Opened on ", "在此设备上打开：") + d.why,
                           Text("Open this page on the invigilator's phone (scan the QR code).",
                                "请用监考人员的手机扫码打开本页面。"))
    return PhoneResult("device", Status.ERROR, Text("Cannot tell the kind of device: ", "无法判断设备类型：") + d.why,
                       Text("Check by hand that it is a phone (not a tablet) with Android 8.0+ or an iPhone 6+.",
                            "请人工确认是手机（非平板），Android 8.0 及以上或 iPhone 6 及以上。"))


def _os_rule(d: Device, profile: Profile) -> PhoneResult:
    if d.kind in (Kind.ANDROID, Kind.ANDROID_TABLET, Kind.ANDROID_DEVICE):
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


def _hardware_rule(d: Device, check: PhoneCheck, profile: Profile) -> PhoneResult:
    if d.kind is Kind.ANDROID:
        return _memory_rule(d, check, profile)
    if d.kind is Kind.ANDROID_DEVICE:  # a phone or a tablet: the memory rule is the phone's
        if profile["phones.tablets_allowed"]:  # a tablet would pass without it: judge no memory
            return PhoneResult("hardware", Status.SKIP, Text("Phone or tablet unknown: memory not judged.",
                                                             "无法判断是手机还是平板：不判断内存。"))
        return _memory_rule(d, check, profile)  # a tablet fails as one anyway: a phone's rule decides
    if d.kind is Kind.IPHONE:
        return _iphone_rule(d, check, profile)
    return PhoneResult("hardware", Status.SKIP, Text("Not a phone: no model to judge.", "非手机：不判断机型。"))


def _memory_rule(d: Device, check: PhoneCheck, profile: Profile) -> PhoneResult:
    need: float = profile["phones.android_min_memory_gb"]
    by_hand = Text(f"Check by hand: Settings → About phone → RAM must be at least {need:g} GB.",
                   f"请人工查看：设置 → 关于手机 → 运行内存，须不少于 {need:g} GB。")
    model = f"{d.model}: " if d.model else ""
    memory = check.device_memory or 0.0
    stated = check.stated_memory_gb
    if stated is not None:
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


def _iphone_rule(d: Device, check: PhoneCheck, profile: Profile) -> PhoneResult:
    oldest = profile["phones.iphone_min_model"]
    by_hand = Text(f"Check by hand: Settings → General → About → Model Name must be iPhone {oldest} or newer.",
                   f"请人工查看：设置 → 通用 → 关于本机 → 型号名称，须为 iPhone {oldest} 或更新机型。")
    if d.os_version is not None and compare_versions(d.os_version, (13,)) >= 0:
        return PhoneResult("hardware", Status.PASS, Text(
            f"iOS {d.os_text} runs only on an iPhone 6s or newer", f"iOS {d.os_text} 仅能运行于 iPhone 6s 及更新机型"))
    width = min(check.screen) if check.screen else None
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


def _app_rule(d: Device, check: PhoneCheck, profile: Profile) -> PhoneResult:
    if d.kind in (Kind.ANDROID, Kind.ANDROID_TABLET, Kind.ANDROID_DEVICE):
        minimum = profile["phones.android_app_min"]
    elif d.kind in (Kind.IPHONE, Kind.IPAD):
        minimum = profile["phones.ios_app_min"]
    else:
        return PhoneResult("app", Status.SKIP, Text("Not a phone: no app to judge.", "非手机：不判断 App 版本。"))
    typed = check.app_version
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
