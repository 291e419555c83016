"""Finding English sentences inside Chinese output.

What may stay in Latin letters is stripped first: URLs, paths, host names and dotted ids,
versions, numbers with their units, `commands`, --options, ids in parentheses, bracketed error
codes and the product and technical names below. What is left must hold no run of three or more
ASCII words: that is a sentence nobody translated.
"""

from __future__ import annotations

import re

# Names that stay as they are in Chinese text (products, files, protocols, settings).
NAMES = sorted([
    "Microsoft YaHei UI", "Microsoft YaHei", "Program Files", "Windows Server", "Windows", "speedtest-cli",
    "speedtest.net", "speedtest", "GetPhysicallyInstalledSystemMemory", "ExamClient", "OpenGL", "Level",
    "VirtualStore", "MachineGuid", "Uninstall", "Professional", "Enterprise", "Education", "Home", "Pro",
    "MSYH", "TLS", "DNS", "HTTP", "HTTPS", "TCP", "IP", "IPv6", "UTF-8", "UTF-16", "GBK", "ANSI", "PE", "NUL",
    "Faronics Deep Freeze", "Deep Freeze", "Boot Thawed", "Unified Write Filter", "Enhanced Write Filter",
    "File-Based Write Filter", "Shadow Defender", "PowerShadow", "Mbit/s", "GiB", "MiB", "KiB", "GB", "MB", "ms", "exam-readiness", "readiness", "Unicode", "build",
], key=len, reverse=True)

_STRIP = [
    re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.I),                      # URLs
    re.compile(r"`[^`]*`"),                                             # `commands`
    re.compile(r"\[[^\]\n]*\]"),                                        # [Errno 13], [OpenGL], [通过]
    re.compile(r"%\w+%"),                                               # %WINDIR%
    re.compile(r"[A-Za-z]:\\(?:[^\s\\，。；：、（）]+(?: [^\s\\，。；：、（）]+)*\\)*[^\s\\，。；：、（）]*"),  # C:\Program Files\x
    re.compile(r"(?<![\w.])/[\w./-]+"),                                 # /etc/machine-id
    re.compile(r"--?[A-Za-z][\w-]*"),                                   # --offline
    re.compile(r"\b[\w-]+(?:\.[\w-]+)+\b"),                             # host.name, network.deadline_s, 1.2.1-0
    re.compile(r"[(（]\s*[^\s()（）]+\s*[)）]"),                          # (disks), (x86), one id in parentheses
    re.compile(r"\d[\d.,:]*\w*"),                                       # numbers, 23H2, 0x7f
]
_NAMES = re.compile("|".join(r"(?<![A-Za-z])" + re.escape(n) + r"(?![A-Za-z])" for n in NAMES))
_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*){2,}")


def strip(text: str) -> str:
    """The text without what may stay in Latin letters."""
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    return _NAMES.sub(" ", text)


def english_runs(text: str) -> list[str]:
    """Every run of three or more ASCII words left once names, paths and numbers are stripped."""
    return [m.group(0) for line in text.splitlines() for m in _RUN.finditer(strip(line))]
