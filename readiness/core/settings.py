"""Declared settings: the keys a profile may set, with their defaults, types and help.

The core declares the site's and the collectors' settings; each check declares its own beside
its code. The profile is validated against the union, so a typo in a site profile is refused
instead of silently ignored.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from typing import Any, Callable

from readiness.core import rules
from readiness.core.i18n import Text, same
from readiness.core.peers import TRUST_PEERS

# A validator returns why a value is refused, in both languages (a plain str from an older plugin
# is shown as it is in both).
Validator = Callable[[Any], "Text | str | None"]


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: Text
    kind: str = "str"  # str, optional_str, int, float, bool, str_list, str_map (a TOML table of strings)
    minimum: float | None = None
    maximum: float | None = None  # beyond it a value is a typo (seats = 10**23), not a site
    choices: tuple[str, ...] = ()
    validate: Validator | None = None
    normalise: Callable[[Any], Any] | None = None  # the value the profile stores once it is valid

    def check(self, value: Any) -> tuple[Any, Text | None]:
        """The value as stored, or the reason it is refused (in both languages)."""
        k = self.kind
        if k in ("str", "optional_str"):
            if not isinstance(value, str):
                return value, Text("expected a string", "应为字符串")
            if k == "optional_str" and not value.strip():
                return None, None
            if self.choices and value not in self.choices:
                return value, Text(f"expected one of {', '.join(self.choices)}", f"应为以下之一：{'、'.join(self.choices)}")
        elif k == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return value, Text("expected a whole number", "应为整数")
        elif k == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return value, Text("expected a number", "应为数字")
            if not math.isfinite(value):
                return value, Text("expected a finite number (not nan or inf)", "应为有限的数字（不能是 nan 或 inf）")
            value = float(value)
        elif k == "bool":
            if not isinstance(value, bool):
                return value, Text("expected true or false", "应为 true 或 false")
        elif k == "str_list":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return value, Text("expected a list of strings, e.g. [\"a\", \"b\"]", "应为字符串列表，例如 [\"a\", \"b\"]")
        elif k == "str_map":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                return value, Text("expected a table of strings, e.g. \"1101\" = \"...\"",
                                   "应为字符串表，例如 \"1101\" = \"…\"")
            value = dict(value)
        else:  # pragma: no cover - a programming error in a declaration
            raise ValueError(f"unknown setting kind {k!r}")
        if self.minimum is not None and value < self.minimum:
            return value, Text(f"must be at least {self.minimum:g}", f"不能小于 {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            return value, Text(f"must be at most {self.maximum:g}", f"不能大于 {self.maximum:g}")
        if self.validate is not None:
            problem = self.validate(value)
            if problem:
                return value, same(problem) if isinstance(problem, str) else problem
        if self.normalise is not None and value is not None:
            value = self.normalise(value)
        return value, None


def ip_list(value: list[str]) -> Text | None:
    for item in value:
        try:
            ipaddress.ip_address(item.strip())
        except ValueError:
            return Text(f"{item!r} is not an IP address", f"{item!r} 不是 IP 地址")
    return None


def http_url(value: str, example: str = "http://192.168.1.10/exam.bin") -> Text | None:
    """None for an http(s) URL with a host; else why not (no scheme, another scheme, no host), with
    an example of what the setting takes."""
    from urllib.parse import urlsplit

    text = value.strip()
    try:
        parts = urlsplit(text)
        host, _port = parts.hostname, parts.port  # a bad port raises ValueError
    except ValueError as exc:
        return Text(f"{value!r} is not a valid URL ({exc})", f"{value!r} 不是有效的网址（{exc}）")
    if parts.scheme.lower() not in ("http", "https"):
        has = bool(parts.scheme and "://" in text)
        got = Text(f"{parts.scheme}://", f"{parts.scheme}://") if has else Text("no scheme", "缺少协议")
        return Text(f"{value!r} is not an http:// or https:// URL ({got.en}; e.g. {example})",
                    f"{value!r} 不是 http:// 或 https:// 网址（{got.zh}；例如 {example}）")
    if not host:
        return Text(f"{value!r} names no host", f"{value!r} 未指明主机")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in text):
        return Text(f"{value!r} contains spaces or control characters", f"{value!r} 含有空格或控制字符")
    return None


def url_like(example: str) -> Callable[[str], Text | None]:
    """http_url with the example a setting's own value looks like (a server, not a file to download)."""
    return lambda value: http_url(value, example)


def token_url(example: str) -> Callable[[str], Text | None]:
    """A URL a token is sent to (server.url, upstream.url): http_url, then core.tls.url_problem's
    light part (no backslash, no userinfo); the sender's own parser is asked at every door that sends."""
    def validate(value: str) -> Text | None:
        from readiness.core.tls import url_problem

        return http_url(value, example) or url_problem(value, sender=False)
    return validate


def strip_text(value: str) -> str:
    return value.strip()


def networks(value: list[str]) -> list[str]:
    """Addresses or networks in one form (10.0.0.5/32, 10.0.0.0/24): the form uvicorn and the guards read alike."""
    return [str(ipaddress.ip_network(item.strip(), strict=False)) for item in value]


def ip_or_network_list(value: list[str]) -> Text | None:
    """Addresses or networks (10.0.0.5, 10.0.0.0/24): "*" and names are refused, a proxy is named by its address."""
    for item in value:
        try:
            ipaddress.ip_network(item.strip(), strict=False)
        except ValueError:
            return Text(f"{item!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/24)",
                        f"{item!r} 不是 IP 地址或网段（例如 127.0.0.1 或 10.0.0.0/24）")
    return None


def _fingerprint(value: str) -> Text | None:
    from readiness.core.tls import fingerprint_problem

    return fingerprint_problem(value)


def http_url_list(value: list[str]) -> Text | None:
    for item in value:
        problem = http_url(item, "http://one.ouchn.cn/")
        if problem:
            return problem
    return None


def _code(value: str) -> Text | None:
    from readiness.core.names import id_problem

    return id_problem(value) if value else None  # empty: not set


# The site and what its PCs collect and are judged by (site, client, bandwidth, network, fonts).
PC_SETTINGS: tuple[Setting, ...] = (
    Setting("site.id", "", Text("The site's code in the exam system.", "考点在考试系统中的编号。"), validate=_code),
    Setting("site.name", "", Text("The site's name.", "考点名称。")),
    Setting("site.seats", 50, Text("Exam seats (PCs) at the site; the network rule counts them.",
                                   "考点机位数（考试机台数），网络要求按此计算。"), "int", minimum=1, maximum=10000),
    Setting("site.listening", False, Text("The site runs listening exams (5 Mbit/s a seat).",
                                          "考点承担听力考试（每机位 5 Mbit/s）。"), "bool"),
    Setting("site.public_ips", [], Text("Every public (egress) IP registered for the site.",
                                        "考点登记的全部公网 IP。"), "str_list", validate=ip_list),
    Setting("site.support_contacts", [], Text("Whom technicians call (shown under a failed report).",
                                              "技术支持联系方式（报告未通过时显示）。"), "str_list"),
    Setting("client.install_dir", None, Text(
        "The exam client's folder; empty: look in the registry, then Program Files.",
        "考试客户端安装目录；留空则先查注册表，再查 Program Files。"), "optional_str"),
    Setting("client.exe_name", "ExamClient.exe", Text("The client's program file.", "客户端程序文件名。")),
    Setting("client.display_names", ["ExamClient", "考试客户端"], Text(
        "Names that identify the client among installed programs.", "在已安装程序中识别客户端的名称。"),
        "str_list"),
    Setting("client.search_dirs", ["%ProgramFiles(x86)%\\ExamClient", "%ProgramFiles%\\ExamClient",
                                   # a 32-bit Python sees %ProgramFiles% = %ProgramFiles(x86)%
                                   "%ProgramW6432%\\ExamClient"],
            Text("Folders tried when the registry does not name the client's.",
                 "注册表中找不到时尝试的目录。"), "str_list"),
    Setting("bandwidth.url", None, Text(
        "A large file to measure the downlink with (the exam server's CDN or a site server); empty: speedtest.",
        "用于测量下行带宽的大文件地址（考试服务器 CDN 或考点服务器）；留空则使用 speedtest。"), "optional_str",
            validate=http_url),
    Setting("bandwidth.backend", "auto", Text("http, speedtest, or auto (http when a URL is set).",
                                              "http、speedtest 或 auto（设置了地址时用 http）。"),
            choices=("auto", "http", "speedtest")),
    Setting("bandwidth.streams", 4, Text("Parallel streams.", "并行连接数。"), "int", minimum=1, maximum=64),
    Setting("bandwidth.duration_s", 10.0, Text("Measuring window after the warm-up, seconds.",
                                               "预热后的测量时长（秒）。"), "float", minimum=1, maximum=600),
    Setting("bandwidth.warmup_s", 2.0, Text("Warm-up discarded first (TCP slow start), seconds.",
                                            "先行丢弃的预热时长（TCP 慢启动），秒。"), "float", minimum=0, maximum=120),
    Setting("bandwidth.max_mb", 4096.0, Text("Most data one measurement may download, MiB.",
                                             "一次测量最多下载的数据量（MiB）。"), "float", minimum=1, maximum=102400),
    Setting("network.ip_echo_urls", ["https://api.ipify.org", "https://ifconfig.me/ip"], Text(
        "Services that answer the caller's public IP (plain text or JSON).", "返回访问者公网 IP 的服务（纯文本或 JSON）。"),
        "str_list", validate=http_url_list),
    Setting("network.endpoints", ["http://one.ouchn.cn/"], Text(
        "Exam system addresses that every PC must reach.", "每台考试机必须能访问的考试系统地址。"),
        "str_list", validate=http_url_list),
    Setting("network.timeout_s", 5.0, Text("Timeout of each network step, seconds.", "每个网络步骤的超时（秒）。"),
            "float", minimum=0.1, maximum=600),
    Setting("network.deadline_s", 60.0, Text("Deadline of the whole network part of a run, seconds.",
                                             "一次检查中网络部分的总时限（秒）。"), "float", minimum=1, maximum=3600),
    Setting("network.offline", False, Text(
        "Collect no network facts, as --offline does (PCs prepared before the exam network is up: the network "
        "checks are skipped, not failed; check them again once it is).",
        "不采集网络信息，等同 --offline（考试网络开通前准备电脑时使用：网络检查跳过而非失败；网络开通后请再检查）。"),
            "bool"),
    Setting("network.ca_bundle", None, Text("Extra CA certificates (PEM) to trust, e.g. a site's TLS gateway.",
                                            "额外信任的 CA 证书（PEM），例如考点的 TLS 网关。"), "optional_str"),
    Setting("fonts.system_dirs", ["%WINDIR%\\Fonts"], Text("System font folders.", "系统字体目录。"),
            "str_list"),
    Setting("fonts.user_dirs", ["%LOCALAPPDATA%\\Microsoft\\Windows\\Fonts"], Text(
        "Per-user font folders (Windows 10 1809+ installs there without admin rights).",
        "当前用户字体目录（Windows 10 1809 起非管理员安装字体到此处）。"), "str_list"),
)


def dotted_version(value: str) -> Text | None:
    from readiness.core.versions import parse_version

    return None if parse_version(value) else Text(f"{value!r} is not a version such as 2.4.3",
                                                  f"{value!r} 不是版本号（例如 2.4.3）")


def trust_settings(section: str, whose: Text = Text("", "")) -> tuple[Setting, ...]:
    """How a sender trusts the peer it sends a token to: one declaration for [server] and [upstream],
    read by core.tls.Trust.of. whose: how the help names the peer's own `readiness serve` ("its " for
    the branch's)."""
    peer = TRUST_PEERS[section]
    return (
        Setting(f"{section}.fingerprint", None, Text(
            f"{peer.en[:1].upper()}{peer.en[1:]}'s certificate, pinned: \"sha256:...\" as {whose.en}`readiness serve` prints it "
            "(no CA or host name check then).",
            f"固定{peer.zh}证书：{whose.zh}`readiness serve` 显示的 \"sha256:…\"（此时不再核对 CA 和主机名）。"),
            "optional_str", validate=_fingerprint),
        Setting(f"{section}.ca_file", None, Text(
            f"A private CA (PEM) that issued {peer.en}'s certificate (the host name is checked); a relative "
            "path is beside the profile.",
            f"签发{peer.zh}证书的私有 CA（PEM，核对主机名）；相对路径相对于配置文件所在目录。"),
            "optional_str"),
        Setting(f"{section}.allow_plain_http", False, Text(
            f"Allow an http:// {section}.url beyond the LAN (a closed network only: the token travels in clear).",
            f"允许 {section}.url 为局域网以外的 http:// 地址（仅限封闭网络：令牌以明文传输）。"),
            "bool"),
    )


# The site server (`readiness serve`) and the PCs that submit to it (`check --submit`, `submit`).
SERVER_SETTINGS: tuple[Setting, ...] = (
    Setting("server.url", None, Text("The site server's address, e.g. http://192.168.1.10:8765; the PCs submit there.",
                                     "考点服务器地址，例如 http://192.168.1.10:8765；各考试机向其提交报告。"),
            "optional_str", validate=token_url("http://192.168.1.10:8765"), normalise=strip_text),
    Setting("server.token", None, Text("Submit token: PCs may only add reports and rehearsal results with it; empty: "
                                       "generated once by the server and kept in its data folder.",
                                       "提交令牌：考试机凭此只能提交报告和演练结果；留空则由服务器生成一次并保存在数据目录中。"),
            "optional_str"),
    Setting("server.phone_token", None, Text("Phone token: in the invigilators' phone link (the QR code); it only "
                                             "checks phones; empty: generated once and kept in the data folder.",
                                             "手机令牌：用于监考手机链接（二维码），只能检查手机；留空则生成一次并保存在数据目录中。"),
            "optional_str"),
    Setting("server.admin_key", None, Text("Manager's key: needed to view, export or start anything; empty: generated "
                                           "once and kept in the data folder.",
                                           "管理员密钥：查看、导出或启动任何操作都需要；留空则生成一次并保存在数据目录中。"),
            "optional_str"),
    Setting("server.rate_per_minute", 240, Text("Requests one client address may make a minute (more: 429).",
                                                "每个客户端地址每分钟最多请求数（超过则 429）。"), "int", minimum=10, maximum=1000000),
    # Serving HTTPS (readiness serve)
    Setting("server.tls", None, Text("\"self-signed\": serve HTTPS with a key and certificate made at the first start "
                                     "and kept in the data folder (the PCs pin its fingerprint); empty: plain http, or "
                                     "tls_cert and tls_key.",
                                     "\"self-signed\"：首次启动时生成密钥和自签名证书并保存在数据目录中，以 HTTPS 提供服务"
                                     "（考试机固定其指纹）；留空则为明文 http，或使用 tls_cert 与 tls_key。"),
            "optional_str", choices=("self-signed",)),
    Setting("server.tls_cert", None, Text("Serve HTTPS with this certificate (PEM, the chain after it); a relative path is "
                                          "beside the profile.", "以此证书（PEM，其后可附证书链）提供 HTTPS；相对路径相对于配置文件所在目录。"),
            "optional_str"),
    Setting("server.tls_key", None, Text("The private key (PEM) of tls_cert.", "tls_cert 的私钥（PEM）。"),
            "optional_str"),
    Setting("server.trusted_proxies", [], Text("Reverse proxies (addresses or networks) whose X-Forwarded-For names the "
                                               "client; from anyone else the header is ignored.",
                                               "反向代理的地址或网段：只有来自它们的 X-Forwarded-For 才被视为客户端地址；"
                                               "其他来源的该请求头一律忽略。"), "str_list", validate=ip_or_network_list,
            normalise=networks),
    # Trusting the site server (the PCs' submit and rehearsal agent)
    *trust_settings("server"),
)

# The invigilators' phones for the identity-check app (the plan's first section).
PHONE_SETTINGS: tuple[Setting, ...] = (
    Setting("phones.android_min_version", "8.0", Text("Oldest Android version allowed.", "允许的最低 Android 版本。"),
            validate=dotted_version),
    Setting("phones.android_min_memory_gb", 4.0, Text("Least memory (RAM) of an Android phone, GB.",
                                                      "Android 手机最少运行内存（GB）。"), "float", minimum=0.25, maximum=64),
    Setting("phones.ios_min_version", "11", Text("Oldest iOS version allowed.", "允许的最低 iOS 版本。"),
            validate=dotted_version),
    Setting("phones.iphone_min_model", "6", Text("Oldest iPhone allowed: 6 or 6s.", "允许的最旧 iPhone 型号：6 或 6s。"),
            choices=("6", "6s")),
    Setting("phones.tablets_allowed", False, Text("Tablets may be used (the plan: no).", "是否允许平板（预案：不允许）。"),
            "bool"),
    Setting("phones.android_app_min", "2.4.4.24", Text("Oldest identity-check app version on Android.",
                                                       "Android 身份核验 App 最低版本。"), validate=dotted_version),
    Setting("phones.ios_app_min", "2.4.3", Text("Oldest identity-check app version on iOS.",
                                                "iOS 身份核验 App 最低版本。"), validate=dotted_version),
)

# Exam-start rehearsal rounds (`readiness rehearse` on the PCs, started from the dashboard).
REHEARSAL_SETTINGS: tuple[Setting, ...] = (
    Setting("rehearsal.url", None, Text("What every seat downloads at the start; empty: bandwidth.url, else the site "
                                        "server's own paper-sized object (a LAN-only round).",
                                        "开考演练时各机位下载的对象；留空则用 bandwidth.url，再无则用考点服务器自带的试卷大小对象（仅局域网）。"),
            "optional_str", validate=http_url),
    Setting("rehearsal.lead_s", 5.0, Text("How far ahead a round's start is announced, seconds.",
                                          "演练开始时间提前公布的秒数。"), "float", minimum=1, maximum=600),
    Setting("rehearsal.deadline_s", 240.0, Text("A seat gives up this long after the start, seconds.",
                                                "开始后超过此秒数仍未完成的机位放弃。"), "float", minimum=5, maximum=3600),
    Setting("rehearsal.lan_mbps", 0.0, Text("Pace of the server's own paper object for all seats together, Mbit/s; "
                                            "0: unpaced.", "服务器自带试卷对象的总限速（Mbit/s）；0 为不限速。"),
            "float", minimum=0, maximum=100000),
)

# The plan's rules that the core applies too (readiness.core.rules: aggregate, serve, the rehearsal and
# fix read them), so they are declared here and not by the check that also uses them.
PLAN_SETTINGS: tuple[Setting, ...] = (
    Setting("bandwidth.per_seat_mbps", 2.0, Text("Downlink per seat, Mbit/s (100 per 50 seats).",
                                                "每机位下行带宽（Mbit/s，50 机位 100M）。"), "float", minimum=0, maximum=10000),
    Setting("bandwidth.listening_per_seat_mbps", 5.0, Text("Per seat in listening exams (500 per 100 seats).",
                                                          "听力考试每机位带宽（100 机位 500M）。"), "float", minimum=0, maximum=10000),
    Setting("bandwidth.paper_mb", 20.0, Text("Size of one exam paper, MB (for the load-time estimate).",
                                            "一份试卷的大小（MB，用于估算加载时间）。"), "float", minimum=0.1, maximum=10000),
    Setting("bandwidth.tolerance_percent", 10.0, Text("How far below the requirement is only a warning, percent.",
                                                     "低于要求多少以内仅警告（百分比）。"), "float", minimum=0, maximum=100),
    Setting("client.opengl_level", "0", Text("The OpenGL/Level value the plan prescribes.",
                                             "应急预案规定的 OpenGL/Level 取值。")),
    Setting("fonts.families", ["Microsoft YaHei", "Microsoft YaHei UI"], Text(
        "Family names (from the font's name table) that count as MSYH.", "视为 MSYH 的字体族名（取自字体名称表）。"),
        "str_list"),
)


def iso_instants(value: list[str]) -> Text | None:
    """Exam starts: ISO 8601 date-times with their offset (a time without one means another moment
    on a PC in another zone)."""
    from readiness.core.times import parse_instant

    for item in value:
        if parse_instant(item) is None:
            return Text(f"{item!r} is not a date and time with its offset, e.g. 2026-12-05T08:30:00+08:00",
                        f"{item!r} 不是带时区的日期时间，例如 2026-12-05T08:30:00+08:00")
    return None


def site_tokens(value: dict[str, str]) -> Text | None:
    """[branch.sites]: each site id once, each with a token of its own (a token shared by two sites
    would let one speak for the other)."""
    from readiness.core.keys import key_problem
    from readiness.core.names import id_problem

    for site_id, token in value.items():
        problem = id_problem(site_id) or key_problem(token)
        if problem:
            return Text(f"{site_id!r}: {problem.en}", f"{site_id!r}：{problem.zh}")
    if len(set(value.values())) < len(value):
        return Text("two sites share a token: give each site its own", "有两个考点使用同一令牌：请为每个考点分别设置")
    return None


def _token(value: str) -> Text | None:
    from readiness.core.keys import key_problem

    return key_problem(value)


# The chain of command (the plan: a site reports to its branch, a branch to headquarters). A
# server with [branch] receives its sites' documents; one with [upstream] sends its own up.
BRANCH_SETTINGS: tuple[Setting, ...] = (
    Setting("branch.id", "", Text("This branch's code (a server with [branch.sites] is a branch server).",
                                  "分部编号（配置了 [branch.sites] 的服务器即为分部服务器）。"), validate=_code),
    Setting("branch.name", "", Text("This branch's name.", "分部名称。")),
    Setting("branch.sites", {}, Text("Each site id (or, at headquarters, branch id) with the token the branch issued "
                                     "it: \"1101\" = \"...\".",
                                     "各考点编号（总部为各分部编号）及分部为其签发的令牌：\"1101\" = \"…\"。"),
            "str_map", validate=site_tokens),
    Setting("branch.branches", [], Text("Which of [branch.sites] are branches (at headquarters: [\"11\", \"12\"]): only "
                                        "these may send a branch's document, and they only that.",
                                        "[branch.sites] 中哪些是分部（总部填写，例如 [\"11\", \"12\"]）：只有它们可以发送分部文档，"
                                        "且只能发送分部文档。"), "str_list"),
    Setting("upstream.url", None, Text("The branch server this server reports to, e.g. https://branch.example:8765 "
                                       "(http:// only to a LAN address).",
                                       "本服务器向其上报的分部服务器地址，例如 https://branch.example:8765（http:// 仅限局域网地址）。"),
            "optional_str", validate=token_url("https://branch.example:8765"), normalise=strip_text),
    Setting("upstream.token", None, Text("The token the branch issued this site.", "分部为本考点签发的令牌。"),
            "optional_str", validate=_token),
    *trust_settings("upstream", Text("its ", "其 ")),
    Setting("upstream.heartbeat_s", 60.0, Text("Send to the branch at least this often, seconds (and on every change).",
                                               "至少每隔此秒数向分部上报一次（有变化时立即上报）。"),
            "float", minimum=rules.HEARTBEAT_S[0], maximum=rules.HEARTBEAT_S[1]),
)

# The exam day's timeline: the plan's deadlines count back from each start.
EXAM_SETTINGS: tuple[Setting, ...] = (
    Setting("exam.starts_at", [], Text("Each exam start with its offset, e.g. [\"2026-12-05T08:30:00+08:00\"].",
                                       "每场考试的开考时间（带时区），例如 [\"2026-12-05T08:30:00+08:00\"]。"),
            "str_list", validate=iso_instants),
    Setting("exam.escalate_before_s", rules.ESCALATE_BEFORE_S, Text("A site not ready this close to a start is escalated, seconds (the "
                                                  "plan: 5 minutes).",
                                                  "距开考不足此秒数仍未就绪的考点需上报（预案：考前 5 分钟）。"),
            "float", minimum=0, maximum=86400),
    Setting("exam.duration_s", rules.EXAM_DURATION_S, Text("How long an exam runs after its start, seconds: until then it is the "
                                            "exam under way.", "考试时长（秒）：开考后在此时长内视为正在进行的考试。"),
            "float", minimum=60, maximum=86400),
    Setting("exam.missing_escalate_share", rules.MISSING_ESCALATE_SHARE,
            Text("Inside the escalation window, a site with more than this share of its seats unreported is "
                 "escalated (0.1: more than one seat in ten).",
                 "需上报时段内，未提交报告的机位超过此比例的考点需上报（0.1：超过十分之一）。"),
            "float", minimum=0, maximum=1),
)

# Every setting the core declares (what a check plugin may not redeclare), one name for the union.
CORE_SETTINGS: tuple[Setting, ...] = (PC_SETTINGS + PLAN_SETTINGS + SERVER_SETTINGS + PHONE_SETTINGS
                                      + REHEARSAL_SETTINGS + BRANCH_SETTINGS + EXAM_SETTINGS)
