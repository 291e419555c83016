"""Serving HTTPS (`readiness serve`): the manager's own certificate ([server] tls_cert and tls_key,
PEM), or one made at the first start ([server] tls = "self-signed": an ECDSA P-256 key and a
self-signed certificate naming the server's LAN addresses, kept in the data folder so that its
fingerprint, which the PCs pin, stays across restarts). uvicorn serves with the files; they are
loaded here first, so that a damaged or mismatched file is a clear start-up error, not a crash.

cryptography is imported only to make the certificate: a server that has one, and the PCs, never load it.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness.core.i18n import Text, TextError
from readiness.core.tls import beside_profile, pem_fingerprint

FOLDER = "tls"  # under the data folder
CERT_FILE = "self-signed-cert.pem"
KEY_FILE = "self-signed-key.pem"
# Apple's rule for trusted certificates (iOS 13, macOS 10.15: support.apple.com/103769): a TLS server
# certificate valid longer than 825 days is refused. An iPhone invigilator opening the https phone
# page must be able to accept it, so the certificate made here lives 825 days; renewing it (moving
# the folder aside) changes the fingerprint the PCs pin, said in the start-up text.
VALID_DAYS = 825
RENEW_WITHIN_DAYS = 30


class TLSProblem(TextError):
    """HTTPS cannot be served as the profile asks; the reason names the file or setting."""


@dataclass(frozen=True)
class Served:
    """The files uvicorn serves with, and the certificate's fingerprint for the PCs' profile."""

    cert: Path
    key: Path
    fingerprint: str
    self_signed: bool
    made_now: bool = False
    expires: datetime.datetime | None = None  # the certificate's notAfter (UTC), when it could be read
    warning: Text | None = None  # said at start: a key others could read (tightened), an expiry near

    def validity(self, lang: Any) -> str:
        """The self-signed certificate's expiry and how to renew it (the fingerprint then changes)."""
        if not self.self_signed or self.expires is None:
            return ""
        day = self.expires.strftime("%Y-%m-%d")
        folder = self.cert.parent
        return Text(f"The certificate is valid until {day} (at most {VALID_DAYS} days: iPhones refuse longer). To renew "
                    f"it, stop the server, move {folder} aside and start again: the fingerprint changes, so put the new "
                    "one in the PCs' profiles ([server] fingerprint) and the sites' ([upstream] fingerprint).",
                    f"证书有效期至 {day}（最长 {VALID_DAYS} 天：iPhone 不接受更长的证书）。续期方法：停止服务器，将 {folder} "
                    "移走后重新启动；指纹会改变，请把新指纹填入各考试机配置（[server] fingerprint）及各考点配置"
                    "（[upstream] fingerprint）。")(lang) + "\n"


def serving_tls(profile: Any, data_dir: Path, names: list[str]) -> Served | None:
    """The HTTPS the profile asks for (None: plain http). names: the addresses a self-signed
    certificate made now lists (the LAN addresses, loopback and the host's name are added)."""
    mode, cert, key = profile["server.tls"], profile["server.tls_cert"], profile["server.tls_key"]
    if mode and (cert or key):
        raise TLSProblem(Text("set [server] tls = \"self-signed\" or tls_cert and tls_key, not both",
                              "[server] tls = \"self-signed\" 与 tls_cert、tls_key 只能选其一"))
    if bool(cert) != bool(key):
        given, missing = ("tls_cert", "tls_key") if cert else ("tls_key", "tls_cert")
        raise TLSProblem(Text(f"[server] {given} is set but {missing} is not: HTTPS needs the certificate and its key",
                              f"已设置 [server] {given} 但未设置 {missing}：HTTPS 需要证书及其私钥"))
    if cert:
        cert_path, key_path = beside_profile(profile, cert), beside_profile(profile, key)
        return Served(cert_path, key_path, _load(cert_path, key_path, own=True), False)
    if mode != "self-signed":
        return None
    folder = data_dir / FOLDER
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    made = False
    present = [p for p in (key_path, cert_path) if p.exists() or p.is_symlink()]  # a dangling link is there
    if present and (not cert_path.exists() or not key_path.exists()):  # a pinned identity lost half of itself
        lost = cert_path if not cert_path.exists() else key_path
        _damaged(cert_path, key_path, Text(f"{lost.name} is missing or a dangling link",
                                           f"{lost.name} 缺失或为失效的链接"))
    if not present:  # the first start: the key first, the certificate last
        try:
            make_self_signed(folder, names)
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise TLSProblem(Text(f"cannot write the server's certificate in {folder}: {why}",
                                  f"无法在 {folder} 中写入服务器证书：{why}")) from None
        made = True
    fingerprint = _load(cert_path, key_path, own=False)
    warnings = [w for w in (_private(key_path), _expiry_warning(_not_after(cert_path))) if w is not None]
    return Served(cert_path, key_path, fingerprint, True, made, _not_after(cert_path),
                  Text(" ".join(w.en for w in warnings), " ".join(w.zh for w in warnings)) if warnings else None)


def _private(key: Path) -> Text | None:
    """A self-signed key readable by group or others (a copy, a restore, a umask) is made the owner's
    again, and said (POSIX; on Windows the data folder's ACLs decide)."""
    if os.name != "posix":
        return None
    try:
        mode = key.stat().st_mode & 0o777
        if not mode & 0o077:
            return None
        os.chmod(key, 0o600)
        return Text(f"warning: the server's key {key} was readable by others (mode {mode:o}); it is now readable by its "
                    "owner only (600). If others may have copied it, renew the certificate.",
                    f"警告：服务器私钥 {key} 曾可被他人读取（权限 {mode:o}）；现已改为仅所有者可读（600）。"
                    "如他人可能已复制该私钥，请更新证书。")
    except OSError as exc:
        return Text(f"warning: the server's key {key} is readable by others and could not be made private "
                    f"({exc.strerror or exc})", f"警告：服务器私钥 {key} 可被他人读取，且无法改为私有（{exc.strerror or exc}）")


def _not_after(cert: Path) -> datetime.datetime | None:
    try:  # the stdlib's decoder (cryptography is loaded only to make a certificate)
        text = ssl._ssl._test_decode_cert(str(cert))["notAfter"]  # type: ignore[attr-defined]
        return datetime.datetime.fromtimestamp(ssl.cert_time_to_seconds(text), datetime.timezone.utc)
    except (AttributeError, KeyError, OSError, ValueError, ssl.SSLError):
        return None


def _expiry_warning(expires: datetime.datetime | None) -> Text | None:
    if expires is None:
        return None
    left = (expires - datetime.datetime.now(datetime.timezone.utc)).days
    if left > RENEW_WITHIN_DAYS:
        return None
    day = expires.strftime("%Y-%m-%d")
    return Text(f"warning: the server's certificate {'expired' if left < 0 else 'expires'} on {day}: phones will refuse "
                "it; renew it (see below) before the exam",
                f"警告：服务器证书{'已于' if left < 0 else '将于'} {day} 到期：手机将拒绝该证书；请在考试前续期（见下文）")


def _damaged(cert: Path, key: Path, why: Text) -> None:
    raise TLSProblem(Text(f"the server's self-signed certificate {cert} or its key {key} is damaged ({why.en}). Move the "
                          f"folder {cert.parent} aside to have a new one made at the next start; its fingerprint will "
                          "differ: put the new one in the PCs' profiles ([server] fingerprint)",
                          f"服务器的自签名证书 {cert} 或其私钥 {key} 已损坏（{why.zh}）。将目录 {cert.parent} 移走，下次启动时"
                          "会生成新的证书；其指纹会改变：请把新指纹填入各考试机的配置（[server] fingerprint）"))


def _load(cert: Path, key: Path, own: bool) -> str:
    """Load the pair as uvicorn will; the certificate's fingerprint, or why it cannot serve."""
    from readiness.core.files import require_regular

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        require_regular(cert)  # a FIFO named as a certificate would hang the start
        require_regular(key)
        context.load_cert_chain(str(cert), str(key))
        return pem_fingerprint(cert)
    except (OSError, ssl.SSLError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    if own:
        raise TLSProblem(Text(f"[server] tls_cert {cert} and tls_key {key} cannot serve HTTPS ({why}): they must be PEM "
                              "files, the key of that certificate, without a password",
                              f"[server] tls_cert {cert} 与 tls_key {key} 无法用于 HTTPS（{why}）：须为 PEM 文件，"
                              "私钥须与证书对应且无密码"))
    _damaged(cert, key, Text(str(why), str(why)))
    raise AssertionError("unreachable")  # pragma: no cover


def make_self_signed(folder: Path, names: list[str]) -> None:
    """An ECDSA P-256 key (readable by its owner only) and a self-signed certificate for the names
    (addresses become IP names, others DNS names); the key first, the certificate last, each
    written whole (a start cut short leaves no half pair that looks complete)."""
    import socket

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(folder, 0o700)
    except OSError:
        pass
    host = socket.gethostname()
    wanted = [*names, "127.0.0.1", "::1", "localhost", host]
    alt: list[x509.GeneralName] = []
    for name in dict.fromkeys(n for n in wanted if n):
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            try:
                alt.append(x509.DNSName(name.encode("idna").decode("ascii")))
            except UnicodeError:
                continue
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"exam-readiness site server {host}"[:64])])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))  # a PC whose clock is a day behind
            .not_valid_after(now - datetime.timedelta(days=1) + datetime.timedelta(days=VALID_DAYS))  # 825 in all
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(folder / KEY_FILE, key.private_bytes(serialization.Encoding.PEM,
                                                        serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    _write_private(folder / CERT_FILE, cert.public_bytes(serialization.Encoding.PEM))


def _write_private(path: Path, data: bytes) -> None:
    """Written to a temporary file readable by its owner only, synced, then renamed into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
