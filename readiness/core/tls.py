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

from readiness.core.i18n import Text, same

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

# Who the peer is, for the messages: the settings' section names it.
PEERS = {"server": Text("the site server", "考点服务器"), "upstream": Text("the branch server", "分部服务器")}


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


def plain_http_problem(url: str, allowed: bool, url_setting: str, allow_setting: str,
                       resolver: Resolver = resolve) -> Text | None:
    """Why a token may not go to `url` in clear: it is http:// and its host is not on the LAN
    (loopback, RFC 1918, link-local, IPv6 ULA; a host name by every address it resolves to, and one
    that does not resolve cannot be shown to be on the LAN). None for https://, a LAN address, or
    when the profile allows plain http (a closed network)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "http" or allowed:
        return None
    host = parts.hostname or ""
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

    @classmethod
    def of(cls, profile: Any, section: str) -> "Trust":
        pin = profile.get(f"{section}.fingerprint")
        ca = profile.get(f"{section}.ca_file")
        return cls(section, parse_fingerprint(pin) if pin else None,
                   str(beside_profile(profile, ca)) if ca else None)

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
        on a CDN is checked as usual), or the CA file as the trust store."""
        import requests

        session = requests.Session()
        session.trust_env = False
        if self.fingerprint:
            session.mount(origin(url) + "/", PinnedAdapter(self.fingerprint))
        elif self.ca_file:
            session.mount(origin(url) + "/", CAAdapter(self.ca_file))
        return session

    def refusal(self, exc: BaseException) -> Text | None:
        """The reason, in both languages, when a request failed on this peer's certificate (the pin
        differs, or the CA check failed): it names the certificate and the setting. None for any
        other failure."""
        import ssl

        chain = _chain(exc)
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
    """scheme://host[:port] of a URL, lower-cased, without the path."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


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


_ADAPTERS: dict[str, type] = {}


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
    return trust.problem(url) or plain_http_problem(url, allow_plain_http, url_setting,
                                                    trust.setting("allow_plain_http"), resolver)
