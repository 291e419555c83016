"""Launching the server (`readiness serve`): keys, the start-up text (addresses, keys, a QR code, the firewall
command), and uvicorn with its pure-Python HTTP parser (h11, which a PyInstaller exe bundles)
behind a header timeout of our own: uvicorn would wait forever for a request's headers."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from readiness.core.i18n import Lang, Text, TextError
from readiness.core.keys import key_problem
from readiness.core.plugin import LoadedChecks
from readiness.core.profile import Profile

if TYPE_CHECKING:
    from readiness.serve.tls import Served

HEADER_TIMEOUT_S = 10.0
WRITE_STALL_S = 30.0  # a response the client does not read at all for this long is dropped
DRAIN_BYTES = 64 * 1024 * 1024  # the rest of a refused body read and dropped (so the 413 is read, not reset), at most
MAX_CONNECTIONS_PER_CLIENT = 64  # a PC needs one or two; 64 leaves room for a room behind one NAT address
GRACEFUL_S = 5  # Ctrl+C: requests under way get this long to finish (a download in progress does not)


# -- the start-up text --------------------------------------------------------------------------

def lan_addresses() -> list[str]:
    """The machine's IPv4 addresses that other PCs on the LAN can reach (no loopback, no link-local)."""
    import psutil

    found: list[str] = []
    try:
        interfaces = psutil.net_if_addrs()
    except OSError:
        return found
    for addrs in interfaces.values():
        for a in addrs:
            if a.family != socket.AF_INET:
                continue
            try:
                ip = ipaddress.ip_address(a.address)
            except ValueError:
                continue
            if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified) and a.address not in found:
                found.append(a.address)
    return order_addresses(found, default_route_address())


def default_route_address() -> str | None:
    """The address this machine sends from on its default route: the LAN's, not a VPN's or a
    Hyper-V switch's. A UDP socket connected to a documentation address (RFC 5737) is only routed,
    never sent to: the kernel picks the source address and nothing leaves the machine."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith(("0.", "127.")) else address


def order_addresses(found: list[str], default: str | None) -> list[str]:
    """The default route's address first (the one the QR code and the PCs' profile lines use), then
    private addresses, then the rest; each group in numeric order."""
    return sorted(found, key=lambda s: (s != default, not ipaddress.ip_address(s).is_private, ipaddress.ip_address(s)))


def base_urls(host: str, port: int, lan: list[str], scheme: str = "http") -> list[str]:
    if host in ("0.0.0.0", "", "::"):
        return [f"{scheme}://{ip}:{port}" for ip in lan] or [f"{scheme}://127.0.0.1:{port}"]
    shown = f"[{host}]" if ":" in host else host
    return [f"{scheme}://{shown}:{port}"]


def qr_text(data: str, encoding: str) -> str:
    """A QR code drawn with characters the console has: light modules as full blocks on the dark
    console background. A legacy Chinese console (GBK) draws █ two columns wide, a UTF-8 terminal
    one: both give square modules. Consoles without █ get ASCII."""
    import segno

    try:
        "█".encode(encoding)
        wide = encoding.lower().replace("-", "").replace("_", "") in ("gbk", "cp936", "gb2312", "gb18030")
        light = "█" if wide else "██"
    except (UnicodeEncodeError, LookupError):
        light = "##"
    dark = "  "
    rows = segno.make(data, error="m").matrix_iter(scale=1, border=2)
    return "\n".join("".join(dark if module else light for module in row) for row in rows) + "\n"


def firewall_command(port: int) -> str:
    return (f'netsh advfirewall firewall add rule name="exam-readiness {port}" dir=in action=allow '
            f"protocol=TCP localport={port}")


SECTION = "== {} =="
MAX_IDS_SHOWN = 12  # senders named on the branch's line; the rest counted


def banner(profile: Profile, urls: list[str], keys: "Keys", port: int, lang: Lang, encoding: str, data_dir: Path,
           fingerprint: str | None = None, self_signed: bool = False) -> str:
    """What the server prints at start, for what it is (Profile.is_site, is_branch): a site's
    lines (its dashboard, the PCs' [server] block and submit token, the invigilators' QR code), a
    branch's (its dashboard, what each site puts in [upstream]), or both, each under its heading.
    fingerprint: the certificate served, which the PCs and the sites pin; self_signed: the phones
    are told how to accept it."""
    def t(en: str, zh: str) -> str:
        return Text(en, zh)(lang)

    site, branch = profile.is_site, profile.is_branch
    both = site and branch
    heading = (t("exam-readiness site and branch server is running.", "exam-readiness 考点兼分部服务器已启动。") if both
               else t("exam-readiness branch server is running.", "exam-readiness 分部服务器已启动。") if branch
               else t("exam-readiness site server is running.", "exam-readiness 考点服务器已启动。"))
    lines = [heading, ""]
    if site:
        if both:
            lines += [SECTION.format(t("The site: its PCs and phones", "考点：考试机与手机")), ""]
        lines += site_lines(urls, keys, lang, encoding, fingerprint, self_signed)
        if not branch:
            lines += upstream_lines(profile, lang)
    if branch:
        if both:
            lines += [SECTION.format(t("The branch: its sites", "分部：各考点")), ""]
        lines += branch_lines(profile, urls, keys, lang, fingerprint) + upstream_lines(profile, lang)
    if both:
        lines += [SECTION.format(t("This server", "本服务器")), ""]
    clients = (t("the PCs or the sites", "考试机或各考点") if both else t("the sites", "各考点") if branch
               else t("the PCs", "考试机"))
    kept = (t("reports and the sites' documents are", "报告和各考点的上报") if both
            else t("the sites' documents are", "各考点的上报") if branch else t("reports are", "报告"))
    lines += [t("Manager's key: ", "管理员密钥：") + keys.admin_key,
              t("Data folder: ", "数据目录：") + str(data_dir.resolve()), "",
              t(f"If {clients} cannot connect, open the port in Windows Firewall (administrator command prompt):",
                f"如{clients}无法连接，请在 Windows 防火墙中开放端口（以管理员身份运行命令提示符）："),
              "  " + firewall_command(port), "",
              t(f"Stop the server with Ctrl+C; {kept} kept in the data folder.",
                f"按 Ctrl+C 停止服务器；{kept}保存在数据目录中。")]
    return "\n".join(lines) + "\n"


def site_lines(urls: list[str], keys: "Keys", lang: Lang, encoding: str, fingerprint: str | None,
               self_signed: bool) -> list[str]:
    """A site's start-up lines: the site dashboard, the PCs' profile, the invigilators' QR code."""
    def t(en: str, zh: str) -> str:
        return Text(en, zh)(lang)

    phone = f"{urls[0]}/phone?t={keys.phone_token}"  # the phone token: a phone link cannot act as a PC
    pin = [f'  fingerprint = "{fingerprint}"'] if fingerprint else []
    from readiness.site.words import WORDS

    accept = [WORDS["phone_cert"](lang) + f" {fingerprint}"] if self_signed else []
    return [t("Site dashboard (manager, keep this link to yourself):", "考点看板（管理员专用，请勿外传）："),
            *[f"  {u}/?key={keys.admin_key}" for u in urls], "",
            t("In the PCs' profile (site.toml):", "考试机配置文件（site.toml）中填写："),
            "  [server]", f'  url = "{urls[0]}"', f'  token = "{keys.token}"', *pin, "",
            t("then on each PC:  readiness check --profile site.toml --submit",
              "然后在每台考试机上运行：readiness check --profile site.toml --submit"), "",
            t("Submit token: ", "提交令牌：") + keys.token,
            t("Phone token (in the phone link only): ", "手机令牌（仅用于手机链接）：") + keys.phone_token, "",
            t("Invigilators scan this with their phone (the identity-check phone):",
              "监考人员用手机（身份核验所用手机）扫描此二维码："),
            qr_text(phone, encoding) + "  " + phone, *accept, ""]


def branch_lines(profile: Profile, urls: list[str], keys: "Keys", lang: Lang, fingerprint: str | None) -> list[str]:
    """A branch's start-up lines: which senders it expects, its dashboard, and the [upstream]
    block each sender's server adds (the url and certificate it pushes to; the token is the
    sender's own, in [branch.sites], never printed here)."""
    def t(en: str, zh: str) -> str:
        return Text(en, zh)(lang)

    senders = list(profile["branch.sites"])
    branches = set(profile["branch.branches"])
    one = len(senders) == 1
    kind = (Text("site" if one else "sites", "个考点"), Text("each site's", "各考点")) if not branches else \
        (Text("branch" if one else "branches", "个分部"), Text("each branch's", "各分部")) if branches >= set(senders) \
        else (Text("sites and branches", "个考点和分部"), Text("each site's or branch's", "各考点或分部"))
    more = len(senders) - MAX_IDS_SHOWN
    ids = Text(", ".join(senders[:MAX_IDS_SHOWN]) + (f", and {more} more" if more > 0 else ""),
               "、".join(senders[:MAX_IDS_SHOWN]) + (f" 等（另有 {more} 个）" if more > 0 else ""))
    name = profile["branch.name"]
    pin = [f'  fingerprint = "{fingerprint}"'] if fingerprint else []
    return [t(f"Branch {profile['branch.id']}" + (f" ({name})" if name else "")
              + f": {len(senders)} {kind[0].en} expected: {ids.en}",
              f"分部 {profile['branch.id']}" + (f"（{name}）" if name else "")
              + f"：应上报 {len(senders)} {kind[0].zh}：{ids.zh}"), "",
            t("Branch dashboard (manager, keep this link to yourself):", "分部看板（管理员专用，请勿外传）："),
            *[f"  {u}/branch?key={keys.admin_key}" for u in urls], "",
            t(f"In {kind[1].en} profile (the one its server runs with):", f"{kind[1].zh}服务器所用的配置文件中填写："),
            "  [upstream]", f'  url = "{urls[0]}"',
            '  token = "…"  # ' + t(f"its own token, from [branch.sites] in {profile.source}",
                                     f"各自的令牌，见 {profile.source} 的 [branch.sites]"), *pin, ""]


def upstream_lines(profile: Profile, lang: Lang) -> list[str]:
    """Where this server sends its own document (its [upstream]), if anywhere."""
    if not profile["upstream.url"]:
        return []
    return [Text(f"Sending to {profile['upstream.url']} on every change and every {profile['upstream.heartbeat_s']:g} s.",
                 f"有变化时及每 {profile['upstream.heartbeat_s']:g} 秒向 {profile['upstream.url']} 上报。")(lang), ""]


def damaged(path: Path, exc: BaseException) -> Text:
    from readiness.site.store import store_reason

    why = store_reason(exc)
    return Text(f"error: the database {path} is damaged ({why.en}). Keep that folder (its reports may be "
                f"recovered with sqlite3's .recover) and start with another --data folder; the PCs send "
                f"again what waits in their outboxes.\n",
                f"错误：数据库 {path} 已损坏（{why.zh}）。请保留该目录（其中的报告或可用 sqlite3 的 .recover "
                f"恢复），并用另一个 --data 目录启动；考试机会重新发送待发送目录中的报告。\n")


# -- the keys -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Keys:
    token: str
    admin_key: str
    phone_token: str


class KeysClash(TextError):
    """The server's keys cannot be used as given (two the same, one too weak, a site's token among them)."""


def keys_for(profile: Profile, store: Any) -> Keys:
    token = profile["server.token"] or store.secret("submit_token")
    admin = profile["server.admin_key"] or store.secret("admin_key")
    phone = profile["server.phone_token"] or store.secret("phone_token")
    if len({token, admin, phone}) < 3:
        raise KeysClash(Text("server.token, server.admin_key and server.phone_token must all differ: each opens "
                             "only its own doors",
                             "server.token、server.admin_key 与 server.phone_token 必须互不相同：各自只能用于各自的用途"))
    for name, value in (("server.token", token), ("server.admin_key", admin), ("server.phone_token", phone)):
        problem = key_problem(value)
        if problem:
            raise KeysClash(Text(f"{name}: {problem.en}; leave it empty to have one generated",
                                 f"{name}：{problem.zh}；留空则自动生成"))
    for site_id, site_token in profile["branch.sites"].items():
        for name, value in (("server.token", token), ("server.admin_key", admin), ("server.phone_token", phone)):
            if site_token == value:  # that site's manager would open this server's doors with it
                raise KeysClash(Text(f"[branch.sites] {site_id}'s token is this server's {name}: give the site a "
                                     "token of its own",
                                     f"[branch.sites] 中 {site_id} 的令牌与本服务器的 {name} 相同：请为该考点单独设置令牌"))
    return Keys(token, admin, phone)


# -- uvicorn ------------------------------------------------------------------------------------

def guarded_protocol(header_timeout_s: float, body_timeout_s: float = HEADER_TIMEOUT_S,
                     per_client: int = MAX_CONNECTIONS_PER_CLIENT, exempt_loopback: bool = True,
                     write_stall_s: float | None = None, trusted_proxies: tuple[str, ...] = ()) -> type:
    """uvicorn's h11 protocol with the limits a LAN needs: a request's head must arrive within
    header_timeout_s of its first byte (uvicorn would wait forever), its body within body_timeout_s
    of the head — also when the app answered without reading it (uvicorn keeps such a connection
    while the client trickles bytes); a client that reads nothing of a response for write_stall_s
    is dropped; and one address holds at most per_client connections (loopback, the manager's own
    machine, is exempt unless told otherwise; so are the trusted reverse proxies, which carry every
    client's connections)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    open_per_client: dict[str, int] = {}
    proxies = tuple(ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies)
    stall_s = WRITE_STALL_S if write_stall_s is None else write_stall_s

    class GuardedH11Protocol(H11Protocol):  # type: ignore[misc]
        _header_timer: asyncio.TimerHandle | None = None
        _body_timer: asyncio.TimerHandle | None = None
        _write_timer: asyncio.TimerHandle | None = None
        _counted: str | None = None
        _drained = 0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            host = self.client[0] if self.client else "?"
            if not (exempt_loopback and _is_loopback(host)) and not _within(host, proxies):
                if open_per_client.get(host, 0) >= per_client:
                    transport.close()  # before a byte is read: nothing is lost but the attempt
                    return
                open_per_client[host] = open_per_client.get(host, 0) + 1
                self._counted = host
            self._arm()

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout_s, self._too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

        def _body_too_slow(self) -> None:
            self._body_timer = None
            if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
                self.transport.close()

        def _watch_body(self) -> None:
            if self.conn.their_state is h11.SEND_BODY:
                if self._body_timer is None:  # the app's own 408 (read_body) goes out first
                    self._body_timer = self.loop.call_later(body_timeout_s + 2.0, self._body_too_slow)
            elif self._body_timer is not None:
                self._body_timer.cancel()
                self._body_timer = None

        def data_received(self, data: bytes) -> None:
            if self.conn.our_state is h11.DONE and self.conn.their_state is h11.SEND_BODY:
                # answered before the body was read (a 413): h11 reads the rest and drops it, up to a bound
                self._drained += len(data)
                if self._drained > DRAIN_BYTES:
                    self.transport.close()
                    return
            else:
                self._drained = 0
            super().data_received(data)
            if self.transport.is_closing():
                return
            if self.conn.their_state is h11.IDLE:
                self._arm()  # part of a request's head: the clock runs from its first byte
            else:
                self._disarm()
            self._watch_body()

        def pause_writing(self) -> None:
            super().pause_writing()
            if self._write_timer is None:
                self._write_timer = self.loop.call_later(stall_s, self._stalled)

        def resume_writing(self) -> None:
            super().resume_writing()
            if self._write_timer is not None:
                self._write_timer.cancel()
                self._write_timer = None

        def _stalled(self) -> None:
            self._write_timer = None
            self.transport.abort()  # the client reads nothing: drop what waits for it, free the task

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            for timer in (self._body_timer, self._write_timer):
                if timer is not None:
                    timer.cancel()
            self._body_timer = self._write_timer = None
            if self._counted is not None:
                left = open_per_client.get(self._counted, 1) - 1
                if left > 0:
                    open_per_client[self._counted] = left
                else:
                    open_per_client.pop(self._counted, None)
                self._counted = None
            super().connection_lost(exc)

    return GuardedH11Protocol


def proxies_for(listed: list[str] | tuple[str, ...], host: str) -> tuple[str, ...]:
    """The profile's trusted proxies (normalised at its door: "10.0.0.5/32") as uvicorn and the
    guards both read them; bound to "::" (dual stack) an IPv4 peer is seen as ::ffff:a.b.c.d, so each
    IPv4 entry is listed in that form too."""
    out = [str(ipaddress.ip_network(p.strip(), strict=False)) for p in listed]
    if host == "::":
        for net in [ipaddress.ip_network(p) for p in out]:
            if net.version == 4:
                out.append(str(ipaddress.ip_network(f"::ffff:{net.network_address}/{96 + net.prefixlen}")))
    return tuple(dict.fromkeys(out))


def wide_proxies(listed: tuple[str, ...]) -> Text | None:
    """A listed proxy network wider than a handful of addresses: any machine in it may say which
    address it is counted as (X-Forwarded-For), and so dodge the per-address limits."""
    wide = [p for p in listed if ipaddress.ip_network(p).num_addresses > 4]  # wider than /30 (v4), /126 (v6)
    if not wide:
        return None
    return Text(f"warning: [server] trusted_proxies lists the network(s) {', '.join(wide)}: any machine there may name "
                "the address it is counted as (X-Forwarded-For). List the proxy's own address only.",
                f"警告：[server] trusted_proxies 列出了网段 {'、'.join(wide)}：其中任何一台机器都可以自称任意地址"
                "（X-Forwarded-For）。请只列出反向代理本身的地址。")


def _within(host: str, networks: tuple[Any, ...]) -> bool:
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in net for net in networks if net.version == ip.version)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(app: Any, header_timeout_s: float = HEADER_TIMEOUT_S, body_timeout_s: float = HEADER_TIMEOUT_S,
                per_client: int = MAX_CONNECTIONS_PER_CLIENT, exempt_loopback: bool = True,
                tls: "Served | None" = None, trusted_proxies: tuple[str, ...] = ()) -> Any:
    """uvicorn behind our guards; tls: serve HTTPS with these files (uvicorn's own TLS options);
    trusted_proxies: only a request from one of these has its X-Forwarded-For taken as the client's
    address (the per-address limits count it); from anyone else the header is ignored."""
    import uvicorn

    protocol = guarded_protocol(header_timeout_s, body_timeout_s, per_client, exempt_loopback,
                                trusted_proxies=trusted_proxies)
    config = uvicorn.Config(app, http=protocol, loop="asyncio", lifespan="off",
                            log_level="warning", access_log=False, timeout_keep_alive=5,
                            h11_max_incomplete_event_size=16 * 1024, limit_concurrency=2000, server_header=False,
                            timeout_graceful_shutdown=GRACEFUL_S,
                            # uvicorn trusts 127.0.0.1's (or $FORWARDED_ALLOW_IPS') headers unless told: only the profile's
                            proxy_headers=bool(trusted_proxies), forwarded_allow_ips=list(trusted_proxies) or [],
                            ssl_certfile=str(tls.cert) if tls else None, ssl_keyfile=str(tls.key) if tls else None)
    return uvicorn.Server(config)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets whose proto says TCP. Without it an
    # answer's TLS records wait on the client's delayed ACK (Nagle): 40 ms a request over https.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if sys.platform == "win32":  # there SO_REUSEADDR lets a second server take the same port
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", -5), 1)
    else:  # restart at once after a stop (TIME_WAIT), while a running server still owns the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def run_server(loaded: LoadedChecks, profile: Profile, rejudge: bool, data_dir: Path, host: str, port: int,
               lang: Lang, out: TextIO, encoding: str) -> int:
    """Serve until Ctrl+C. The checks and the profile are the ones the command loaded; rejudge (a
    profile was given): every report's facts are judged again by them. The exit code: 0 after a
    clean stop, 2 when it cannot start."""
    from readiness.site.aggregate.build import rejudge_with, today_checks
    from readiness.serve.app import create_app, make_serving, upstreams_for
    from readiness.serve.context import ServeConfig
    from readiness.core.times import now_iso
    from readiness.site.store import DB_NAME, Store, StoreDamaged, store_reason
    from readiness.site.view import SiteView

    from readiness.branch.chain import chain_problem, half_site

    from readiness.core.tls import Trust, channel_problem
    from readiness.serve.tls import TLSProblem, serving_tls

    problem = chain_problem(profile)
    if problem is None and profile["upstream.url"]:  # the branch's token never goes in clear beyond the LAN
        problem = channel_problem(profile["upstream.url"], Trust.of(profile, "upstream"),
                                  profile["upstream.allow_plain_http"], "upstream.url")
    if problem is not None:
        out.write(Text(f"error: {problem.en}\n", f"错误：{problem.zh}\n")(lang))
        return 2
    try:
        store = Store(data_dir, exclusive=True)
        keys = keys_for(profile, store)
    except StoreDamaged as exc:
        out.write(damaged(data_dir / DB_NAME, exc)(lang))
        return 2
    except (TextError, OSError, sqlite3.Error) as exc:  # the store's (StoreError) and the keys' reasons
        why = store_reason(exc)
        out.write(Text(f"error: {why.en}\n", f"错误：{why.zh}\n")(lang))
        return 2
    try:
        sock = bind(host, port)
    except OSError as exc:
        out.write(Text(f"error: cannot listen on {host}:{port}: {exc.strerror or exc} (another server running?)\n",
                       f"错误：无法监听 {host}:{port}：{exc.strerror or exc}（是否已有服务器在运行？）\n")(lang))
        return 2
    port = sock.getsockname()[1]
    lan = lan_addresses()
    try:
        tls = serving_tls(profile, data_dir, lan if host in ("0.0.0.0", "", "::") else [host])
    except TLSProblem as exc:
        sock.close()
        store.close()
        out.write(Text(f"error: {exc.reason.en}\n", f"错误：{exc.reason.zh}\n")(lang))
        return 2
    urls = base_urls(host, port, lan, "https" if tls else "http")
    if store.folder_lock is not None:
        import os
        import socket as sockets

        store.folder_lock.claim(f"process {os.getpid()} on {sockets.gethostname()}, port {port}, since {now_iso()}")
    proxies = proxies_for(profile["server.trusted_proxies"], host)
    cfg = ServeConfig(token=keys.token, admin_key=keys.admin_key, profile=profile, phone_token=keys.phone_token,
                      secure_cookie=bool(tls or proxies),
                      rate_per_minute=profile["server.rate_per_minute"],
                      lan_urls=tuple(u for u in urls if "://127." not in u),
                      certificate=tls.fingerprint if tls and tls.self_signed else None)
    try:  # every stored report and round is read now: a damaged file shows here, not at the first look
        view = SiteView(store, profile, rejudge_with(loaded, profile) if rejudge else None, today_checks(loaded))
        serving = make_serving(cfg, store, view)
        app = create_app(cfg, store, view, serving)
    except (sqlite3.DatabaseError, ValueError) as exc:
        sock.close()
        store.close()
        out.write(damaged(store.path, exc)(lang))
        return 2
    server = make_server(app, cfg.header_timeout_s, cfg.body_timeout_s, tls=tls, trusted_proxies=proxies)
    try:
        out.write(banner(profile, urls, keys, port, lang, encoding, data_dir, tls.fingerprint if tls else None,
                         bool(tls and tls.self_signed)))
        out.write(tls.validity(lang) if tls else "")
        for warning in (half_site(profile), wide_proxies(proxies), tls.warning if tls else None):
            if warning is not None:
                out.write(warning(lang) + "\n")
        out.flush()
    except (OSError, ValueError):  # no console (closed or detached): the server runs all the same
        pass
    senders = upstreams_for(serving)
    serving.upstreams.extend(senders)

    def say(line: Text) -> None:
        out.write(line(lang) + "\n")
        out.flush()

    for sender in senders:
        if sender.local is None:
            sender.say = say
    for sender in senders:
        sender.start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        for sender in senders:
            sender.stop()
        store.close()
    return 0
