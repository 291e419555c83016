"""TLS between the levels of the chain (a PC or the rehearsal agent to its site, a site to its
branch, a branch to headquarters): how a sender trusts its peer, and when a token may not go in
clear. Decided here once; every door (check --submit, submit, rehearse, the double-click, serve's
sender up the chain) asks `channel_problem` before it sends anything.

Trust, in order: a pinned certificate (`fingerprint`: the SHA-256 of the peer's DER certificate,
no CA or host name check, as Syncthing identifies devices), else a private CA (`ca_file`, the host
name checked), else the system's CAs as requests has them. A pinned peer is checked during the TLS
handshake, before a byte of the request (and its token) is written.

Light at import: requests and ssl are imported where a session is made.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from readiness.core.i18n import Text, TextError, same
from readiness.core.peers import TRUST_PEERS as PEERS  # who the peer is, for the messages: named once

PREFIX = "sha256:"
MAX_PEM_BYTES = 4 * 2**20  # a CA bundle is a few hundred KiB
_HEX64 = re.compile(r"[0-9a-f]{64}")

# The private networks a LAN uses (RFC 1918, link-local, IPv6 unique local), and loopback. Not
# ipaddress.is_private: it also counts documentation, benchmarking and other reserved ranges, which
# are no one's LAN and may well be routed beyond it.
LAN_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # RFC 1918
    "169.254.0.0/16", "fe80::/10",  # link-local
    "fc00::/7",  # IPv6 unique local (RFC 4193)
    "127.0.0.0/8", "::1/128",  # loopback
))


# -- fingerprints -------------------------------------------------------------------------------

def parse_fingerprint(value: str) -> str | None:
    """"sha256:<64 hex>" (the prefix optional, any case, colons between the bytes allowed, as
    certificate viewers show it) as "sha256:<lowercase hex>"; None when it is not one."""
    text = value.strip().lower()
    if text.startswith(PREFIX):
        text = text[len(PREFIX):]
    text = text.replace(":", "")
    return PREFIX + text if _HEX64.fullmatch(text) else None


def fingerprint_problem(value: str) -> Text | None:
    """The profile's door for [server] / [upstream] fingerprint."""
    if parse_fingerprint(value) is None:
        return Text(f"{value!r} is not a SHA-256 fingerprint: \"sha256:\" and 64 hex digits (colons allowed), "
                    "as `readiness serve` prints it",
                    f"{value!r} 不是 SHA-256 指纹：应为 \"sha256:\" 加 64 位十六进制数（可含冒号），即 "
                    "`readiness serve` 显示的那一行")
    return None


def fingerprint_of(der: bytes) -> str:
    """The fingerprint of a DER certificate: "sha256:<lowercase hex>"."""
    return PREFIX + hashlib.sha256(der).hexdigest()


def pem_fingerprint(path: str | Path) -> str:
    """The fingerprint of the first certificate in a PEM file (ValueError when it holds none)."""
    import ssl

    text = Path(path).read_text(encoding="ascii", errors="replace")
    begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
    start = text.find(begin)
    stop = text.find(end, start)
    if start < 0 or stop < 0:
        raise ValueError("no PEM certificate in it")
    return fingerprint_of(ssl.PEM_cert_to_DER_cert(text[start:stop + len(end)]))


# -- the LAN ------------------------------------------------------------------------------------

def on_lan(address: str) -> bool:
    """A loopback or private (LAN) address; an IPv4-mapped IPv6 address is judged as its IPv4."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: the zone is not the address
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in LAN_NETWORKS if net.version == ip.version)


Resolver = Callable[[str], Iterable[str]]


def resolve(host: str) -> list[str]:
    """Every address a host name resolves to now (OSError when it does not)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


@dataclass(frozen=True)
class Sent:
    """Where requests will send a URL: its scheme, host (no brackets; an IPv6 zone as "%eth0") and
    port (None: the scheme's), and the origin its adapters are mounted on ("scheme://netloc" of the
    URL requests prepares: a 0-padded port or an IDN host is rewritten there)."""

    scheme: str
    host: str
    port: int | None
    origin: str


def sent(url: str) -> Sent:
    """The URL as the sender (requests, then urllib3's parse_url) sees it; ValueError when it cannot."""
    from urllib.parse import urlsplit

    from requests.exceptions import RequestException
    from requests.models import PreparedRequest
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    prepared = PreparedRequest()
    try:
        prepared.prepare_url(url.strip(), None)
        text = str(prepared.url or "")
        parsed = parse_url(text)
    except (RequestException, LocationParseError, UnicodeError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    split = urlsplit(text)
    host = (parsed.host or "").strip("[]").lower().replace("%25", "%")
    return Sent((parsed.scheme or "").lower(), host, parsed.port, f"{split.scheme.lower()}://{split.netloc.lower()}")


def url_problem(url: str, sender: bool = True) -> Text | None:
    """The one door for a URL a token goes to (server.url, --server, upstream.url): refused when it
    has a backslash or userinfo, or when Python's urlsplit and the sender's parser (requests and
    urllib3) read its host or port differently: the host judged is then the host the token goes to.
    sender=False (the profile's door, kept light: no requests): the backslash and userinfo only;
    every door that sends (channel_problem) asks the whole question."""
    from urllib.parse import urlsplit

    text = url.strip()
    if "\\" in text:
        return Text(f"{text!r} contains a backslash: a URL does not, and parsers disagree on where its host ends",
                    f"{text!r} 含有反斜杠：网址中不应出现反斜杠，不同解析器对其主机的理解不一致")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return Text(f"{text!r} is not a valid URL ({exc})", f"{text!r} 不是有效的网址（{exc}）")
    if "@" in parts.netloc:
        return Text(f"{text!r} carries a user name or password (\"...@\"): name the server only; the token is in its own "
                    "setting", f"{text!r} 含有用户名或密码（“…@”）：只写服务器地址；令牌另有其设置项")
    if not sender:
        return None
    try:
        target = sent(text)
        mine = (parts.hostname or "").lower().replace("%25", "%")
        mine = mine.encode("idna").decode("ascii") if not mine.isascii() else mine
    except (ValueError, UnicodeError) as exc:
        return Text(f"{text!r} cannot be sent to ({exc})", f"无法向 {text!r} 发送（{exc}）")
    if (mine, port) != (target.host, target.port):
        return Text(f"{text!r} is read as host {mine!r} port {port} by one parser and as {target.host!r} port "
                    f"{target.port} by the sender: write the address plainly",
                    f"{text!r} 被一个解析器读作主机 {mine!r} 端口 {port}，被发送方读作 {target.host!r} 端口 "
                    f"{target.port}：请直接写出地址")
    return None


def plain_http_problem(url: str, allowed: bool, url_setting: str, allow_setting: str,
                       resolver: Resolver = resolve) -> Text | None:
    """Why a token may not go to `url` in clear: it is http:// and its host is not on the LAN
    (loopback, RFC 1918, link-local, IPv6 ULA; a host name by every address it resolves to, and one
    that does not resolve cannot be shown to be on the LAN). None for https://, a LAN address, or
    when the profile allows plain http (a closed network). The host is the one the sender will use."""
    if allowed:
        return None
    try:
        target = sent(url)
    except ValueError as exc:
        return Text(f"{url_setting} = {url.strip()!r} cannot be sent to ({exc})",
                    f"{url_setting} = {url.strip()!r} 无法发送（{exc}）")
    if target.scheme != "http":
        return None
    host = target.host
    why: Text | None = None
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        addresses = [host]
    except ValueError:
        try:
            addresses = list(resolver(host))
        except (OSError, UnicodeError) as exc:
            addresses = []
            said = getattr(exc, "strerror", None) or str(exc)
            why = Text(f"{host} cannot be resolved now ({said}), so it cannot be shown to be on the LAN",
                       f"{host} 目前无法解析（{said}），无法确认其在局域网内")
    outside = [a for a in addresses if not on_lan(a)]
    if why is None and addresses and not outside:
        return None
    if why is None:
        shown = ", ".join(outside[:3]) if outside else host
        via = f" ({host} → {shown})" if shown != host else ""
        why = Text(f"{host} is not a LAN address{via}", f"{host} 不是局域网地址{via}")
    return Text(f"{url_setting} = {url.strip()!r} would send the token in clear text beyond the LAN: {why.en}. "
                f"Use https:// (the server's `tls` settings, or a reverse proxy), or, on a closed network only, "
                f"set {allow_setting} = true",
                f"{url_setting} = {url.strip()!r} 会以明文把令牌发到局域网之外：{why.zh}。请改用 https://（服务器的 "
                f"tls 设置，或反向代理）；仅在封闭网络中可设置 {allow_setting} = true")


# -- trusting a peer ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Trust:
    """How a sender knows its peer: the pinned certificate, else the private CA, else the system's CAs.
    `section` names the settings ("server": a PC to its site; "upstream": a site to its branch)."""

    section: str = "server"
    fingerprint: str | None = None  # "sha256:<hex>", normalised
    ca_file: str | None = None  # a path, resolved beside the profile
    lan_only: bool = True  # plain http to this peer only while it is on the LAN (not allow_plain_http)

    @classmethod
    def of(cls, profile: Any, section: str) -> "Trust":
        pin = profile.get(f"{section}.fingerprint")
        ca = profile.get(f"{section}.ca_file")
        return cls(section, parse_fingerprint(pin) if pin else None,
                   str(beside_profile(profile, ca)) if ca else None,
                   not profile.get(f"{section}.allow_plain_http"))

    def setting(self, name: str) -> str:
        return f"{self.section}.{name}"

    @property
    def peer(self) -> Text:
        return PEERS.get(self.section, PEERS["server"])

    def problem(self, url: str) -> Text | None:
        """What in the trust settings cannot work with this url (said at the door, before anything)."""
        https = url.strip().lower().startswith("https://")
        if self.fingerprint and self.ca_file:
            return Text(f"set {self.setting('fingerprint')} or {self.setting('ca_file')}, not both: the pin names the "
                        "certificate itself, the CA file its issuer",
                        f"{self.setting('fingerprint')} 与 {self.setting('ca_file')} 只能设置其一：指纹认定证书本身，"
                        "CA 文件认定其签发者")
        if (self.fingerprint or self.ca_file) and not https:
            which = self.setting("fingerprint" if self.fingerprint else "ca_file")
            return Text(f"{which} is set but {url.strip()!r} is not https://: the certificate can only be checked "
                        "over https", f"已设置 {which}，但 {url.strip()!r} 不是 https://：只有 https 才能核对证书")
        if self.ca_file:
            import ssl

            from readiness.core.files import require_regular

            try:
                require_regular(self.ca_file)  # a FIFO would hang the door; a folder is no PEM
                if Path(self.ca_file).stat().st_size > MAX_PEM_BYTES:
                    raise ValueError(f"larger than {MAX_PEM_BYTES // 2**20} MiB")
                ssl.create_default_context(cafile=self.ca_file)
            except (OSError, ssl.SSLError, ValueError) as exc:
                why = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
                return Text(f"{self.setting('ca_file')} = {self.ca_file!r}: not a readable PEM CA certificate ({why})",
                            f"{self.setting('ca_file')} = {self.ca_file!r}：不是可读取的 PEM 格式 CA 证书（{why}）")
        return None

    def session(self, url: str) -> Any:
        """A requests session for this peer: never through the machine's proxy (a LAN peer, or a
        branch the profile names), the pin mounted on the peer's origin only (a rehearsal's paper
        on a CDN is checked as usual), or the CA file as the trust store. Plain http that is not
        allowed beyond the LAN: each connection's peer address is checked after the TCP connect,
        before a byte of the request (a name that resolves elsewhere later carries nothing out)."""
        import requests

        session = requests.Session()
        session.trust_env = False
        try:
            prefix = origin(url) + "/"  # as requests prepares every request's URL: the pin cannot be missed
        except ValueError:
            return session  # requests cannot send to it either (InvalidURL at the send): nothing leaves
        if self.fingerprint:
            session.mount(prefix, PinnedAdapter(self.fingerprint))
        elif self.ca_file:
            session.mount(prefix, CAAdapter(self.ca_file))
        elif self.lan_only and prefix.startswith("http://"):
            session.mount(prefix, LanOnlyAdapter(self.section))
        return session

    def refusal(self, exc: BaseException) -> Text | None:
        """The reason, in both languages, when a request failed on this peer's certificate (the pin
        differs, or the CA check failed): it names the certificate and the setting. None for any
        other failure."""
        import ssl

        chain = _chain(exc)
        off = next((e for e in chain if isinstance(e, OffLan)), None)
        if off is not None:
            return off.reason
        text = " ".join(str(e) for e in chain)
        if not any(isinstance(e, ssl.SSLError) or type(e).__name__ == "SSLError" for e in chain) \
                and "certificate" not in text.lower():
            return None
        if self.fingerprint:
            got = re.search(r'got "([0-9a-f]{64})"', text)
            if got is None and "Fingerprints did not match" not in text:
                return None  # a TLS failure before the certificate (a plain-http port, a reset): not the pin's
            seen = same(PREFIX + got.group(1)) if got else Text("another certificate", "另一证书")
            pin = self.setting("fingerprint")
            return Text(f"{self.peer.en}'s certificate is {seen.en}, not the one {pin} names ({self.fingerprint}): "
                        f"nothing was sent. If the server made a new certificate, put the fingerprint its start-up "
                        f"lines show in {pin}",
                        f"{self.peer.zh}的证书为 {seen.zh}，与 {pin} 指定的（{self.fingerprint}）不符：未发送任何内容。"
                        f"如服务器更换了证书，请把其启动时显示的指纹填入 {pin}")
        why = next((e.verify_message for e in chain if isinstance(e, ssl.SSLCertVerificationError)
                    and e.verify_message), None)
        if why is None:
            found = re.search(r"certificate verify failed: ([^()\"']+)", text)
            why = found.group(1).strip() if found else None
        if why is None:
            return None
        trusted = (Text(f"{self.setting('ca_file')} ({self.ca_file})", f"{self.setting('ca_file')}（{self.ca_file}）")
                   if self.ca_file else Text("the system's CAs", "系统信任的 CA"))
        return Text(f"{self.peer.en}'s certificate was not accepted ({why}) by {trusted.en}: nothing was sent. "
                    f"Pin it with {self.setting('fingerprint')} (the fingerprint `readiness serve` prints) or name "
                    f"its CA in {self.setting('ca_file')}",
                    f"{self.peer.zh}的证书未通过 {trusted.zh} 的验证（{why}）：未发送任何内容。可用 "
                    f"{self.setting('fingerprint')} 固定其证书（`readiness serve` 显示的指纹），或在 "
                    f"{self.setting('ca_file')} 中指定其 CA")


def origin(url: str) -> str:
    """scheme://host[:port] of a URL as requests prepares it (the prefix its adapters are matched
    by: a 0-padded port or an IDN host is rewritten there), lower-cased, without the path."""
    return sent(url).origin


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(seen) < 12:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.append(node)
        todo += [n for n in (node.__cause__, node.__context__, getattr(node, "reason", None)) if isinstance(n, BaseException)]
        todo += [a for a in node.args if isinstance(a, BaseException)]  # requests wraps urllib3's error in args
    return seen


def _pinned_adapter_class() -> type:
    import ssl

    from requests.adapters import HTTPAdapter

    # One context for every pinned connection: without it urllib3 makes a context a connection and
    # loads the system's CA store into it (~20 ms) that a pin never reads.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the pin is checked instead, by urllib3, before the request is written

    class _PinnedAdapter(HTTPAdapter):  # type: ignore[misc]
        """urllib3's assert_fingerprint, checked right after the handshake in connect(): before the
        request (its token) is written. No CA or host name check: the pin names the certificate."""

        def __init__(self, fingerprint: str) -> None:
            self.pin = fingerprint[len(PREFIX):]
            super().__init__(max_retries=0)

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            kwargs.update(assert_fingerprint=self.pin, cert_reqs="CERT_NONE", ssl_context=context)
            super().init_poolmanager(*args, **kwargs)

        def build_connection_pool_key_attributes(self, request: Any, verify: Any, cert: Any = None) -> Any:
            host, pool = super().build_connection_pool_key_attributes(request, False, cert)
            pool.update(cert_reqs="CERT_NONE", assert_fingerprint=self.pin, ssl_context=context)
            return host, pool

        def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
            super().cert_verify(conn, url, False, cert)
            conn.assert_fingerprint = self.pin

    return _PinnedAdapter


def _ca_adapter_class() -> type:
    from requests.adapters import HTTPAdapter

    class _CAAdapter(HTTPAdapter):  # type: ignore[misc]
        """The private CA for this peer's origin only (the host name checked, as requests does)."""

        def __init__(self, ca_file: str) -> None:
            self.ca_file = ca_file
            super().__init__(max_retries=0)

        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs["verify"] = self.ca_file
            return super().send(request, *args, **kwargs)

    return _CAAdapter


class OffLan(TextError, ConnectionError):
    """A plain-http connection reached an address beyond the LAN: closed before the request was written."""


def _lan_only_adapter_class() -> type:
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class _LanOnlyConnection(HTTPConnection):  # type: ignore[misc]
        section = "server"

        def connect(self) -> None:
            super().connect()
            address = str(self.sock.getpeername()[0])
            if not on_lan(address):
                self.sock.close()
                peer = PEERS.get(self.section, PEERS["server"])
                setting = f"{self.section}.allow_plain_http"
                raise OffLan(Text(
                    f"{peer.en} ({self.host}) is at {address}, beyond the LAN: nothing was sent in clear text. Use "
                    f"https:// or, on a closed network only, set {setting} = true",
                    f"{peer.zh}（{self.host}）的地址为 {address}，在局域网之外：未以明文发送任何内容。请改用 https://，"
                    f"仅在封闭网络中可设置 {setting} = true"))

    class _LanOnlyAdapter(HTTPAdapter):  # type: ignore[misc]
        """Plain http for a peer that must stay on the LAN: the address connected to is judged, not the name."""

        def __init__(self, section: str) -> None:
            self.connection_class = type("LanOnlyConnection", (_LanOnlyConnection,), {"section": section})
            self.pool_class = type("LanOnlyPool", (HTTPConnectionPool,), {"ConnectionCls": self.connection_class})
            super().__init__(max_retries=0)

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": self.pool_class, "https": HTTPSConnectionPool}

    return _LanOnlyAdapter


_ADAPTERS: dict[str, type] = {}


def LanOnlyAdapter(section: str) -> Any:  # noqa: N802
    if "lan" not in _ADAPTERS:
        _ADAPTERS["lan"] = _lan_only_adapter_class()
    return _ADAPTERS["lan"](section)


def PinnedAdapter(fingerprint: str) -> Any:  # noqa: N802 - classes made when first needed (requests is heavy)
    if "pin" not in _ADAPTERS:
        _ADAPTERS["pin"] = _pinned_adapter_class()
    return _ADAPTERS["pin"](fingerprint)


def CAAdapter(ca_file: str) -> Any:  # noqa: N802
    if "ca" not in _ADAPTERS:
        _ADAPTERS["ca"] = _ca_adapter_class()
    return _ADAPTERS["ca"](ca_file)


def beside_profile(profile: Any, value: str) -> Path:
    """A path setting: as written when absolute, else beside the profile file (a stick's site.toml
    and its certificate travel together, whatever the current folder)."""
    path = Path(value).expanduser()
    source = getattr(profile, "source", None)
    if path.is_absolute() or not source or not Path(source).is_file():
        return path
    return Path(source).resolve().parent / path


def channel_problem(url: str, trust: Trust, allow_plain_http: bool, url_setting: str,
                    resolver: Resolver = resolve) -> Text | None:
    """The one decision every door asks before a token leaves: the trust settings fit the url, and
    an http:// url stays on the LAN unless the profile allows plain http."""
    return url_problem(url) or trust.problem(url) or plain_http_problem(url, allow_plain_http, url_setting,
                                                    trust.setting("allow_plain_http"), resolver)
