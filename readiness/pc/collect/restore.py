"""Markers of software that undoes every change at restart: restore software and write filters.

Each product is looked for by the markers its vendor (or Microsoft) documents, named beside it,
and its state is read where the product documents one: Deep Freeze's `DFC.exe get /ISFROZEN`,
UWF's WMI provider. Only Windows has them; elsewhere the section is unknown, like the other
Windows-only facts. What counts as on, off or unknown is a rule (readiness.core.rules.product_states),
not decided here. The boot marker (readiness.pc.collect.bootmarker) rides along.

Not detectable here, and said so by the check: restore cards (the protection sits in the card's
firmware, below Windows) and cloud classrooms that re-image a PC at each start from a server
(the image itself carries no agent we could name from documentation).
"""

from __future__ import annotations

import json
import ntpath
import os
import subprocess
import sys
from typing import Any, Callable, Sequence

from readiness.pc.collect.system import System, Unknown, WindowsSystem, expand_windows_vars, native_path
from readiness.pc.collect.winapi import HKLM
from readiness.core.i18n import Text
from readiness.core.restore_products import PRODUCT_IDS, PRODUCTS, product_of_program

SERVICES = r"SYSTEM\CurrentControlSet\Services"
STATE_TIMEOUT_S = 15.0  # DFC.exe answers at once; PowerShell's first start on a slow PC takes seconds

# (argv, timeout) -> (exit code, stdout); raises OSError when the program cannot start and
# subprocess.TimeoutExpired when it does not end. The tests put a fake in its place.
Runner = Callable[[Sequence[str], float], "tuple[int, str]"]


def run_quietly(argv: Sequence[str], timeout_s: float) -> tuple[int, str]:
    """A program's exit code and output, without a console window flashing up."""
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    done = subprocess.run(list(argv), capture_output=True, timeout=timeout_s, stdin=subprocess.DEVNULL,
                          creationflags=flags)
    return done.returncode, done.stdout.decode("utf-8", "replace")


def _service(system: WindowsSystem, name: str) -> tuple[bool, int | None]:
    """(present, Start) of a service or driver key; FileNotFoundError is "absent"."""
    try:
        values = system.reg.values(HKLM, f"{SERVICES}\\{name}")
    except FileNotFoundError:
        return False, None
    start = values.get("Start")
    return True, (int(start.data) if start is not None and isinstance(start.data, int) else None)


def system_folders(env: Any, process_bits: int | None = None) -> list[tuple[str, str]]:
    """(the folder's real name, the name to open it by) of System32 and, on 64-bit Windows,
    SysWOW64. A 32-bit process on 64-bit Windows opening System32 is led to SysWOW64 (WOW64's
    file system redirector): it reaches the real System32 as Sysnative (Microsoft Learn, "File
    System Redirector")."""
    root = expand_windows_vars("%SystemRoot%", env) or r"C:\Windows"
    bits = process_bits or (64 if sys.maxsize > 2**32 else 32)
    wow64 = bool(env.get("PROCESSOR_ARCHITEW6432"))  # set only for a 32-bit process on 64-bit Windows
    arch = (env.get("PROCESSOR_ARCHITEW6432") or env.get("PROCESSOR_ARCHITECTURE") or "").upper()
    system32 = ntpath.join(root, "System32")
    out = [(system32, ntpath.join(root, "Sysnative") if bits == 32 and wow64 else system32)]
    if arch not in ("X86", ""):
        out.append((ntpath.join(root, "SysWOW64"), ntpath.join(root, "SysWOW64")))
    return out


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# Deep Freeze Enterprise guide, "DFC Return Values": `DFC get /ISFROZEN` exits 1 when the
# computer is frozen, 0 when thawed; 2-5 are its errors (a wrong password, a command the edition
# lacks, ...).
DFC_STATES = {1: "frozen", 0: "thawed"}


def deep_freeze_state(path: str, run: Runner) -> dict[str, Any]:
    """{state, exit_code, state_note}: what DFC.exe says of this boot."""
    how = f"{ntpath.basename(path)} get /ISFROZEN"
    try:
        code, _ = run([native_path(path), "get", "/ISFROZEN"], STATE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"state": None, "exit_code": None, "state_note": f"{how}: no answer within {STATE_TIMEOUT_S:g} s"}
    except OSError as exc:
        return {"state": None, "exit_code": None, "state_note": f"{how} did not start: {exc.strerror or exc}"}
    if code in DFC_STATES:
        return {"state": DFC_STATES[code], "exit_code": code, "state_note": f"{how}: exit {code}"}
    why = "an error" if 2 <= code <= 5 else "not a documented answer"
    return {"state": None, "exit_code": code, "state_note": f"{how}: exit {code} ({why})"}


def find_dfc(env: Any, process_bits: int | None = None) -> list[tuple[str, str]]:
    """(real name, name to open it by) of each DFC.exe, each file once."""
    found: list[tuple[str, str]] = []
    for shown, opened in system_folders(env, process_bits):
        path = ntpath.join(opened, "DFC.exe")
        if os.path.isfile(native_path(path)) and not any(_same_file(native_path(path), native_path(o)) for _, o in found):
            found.append((ntpath.join(shown, "DFC.exe"), path))
    return found


# UWF's WMI provider (root\standardcimv2\embedded; Microsoft Learn, "UWF_Filter", "UWF_Volume",
# "UWF_Servicing"), readable by any account: the filter now and after the next restart, the
# volumes it protects this session, and servicing mode this session (which turns the filter off).
UWF_QUERY = (
    "$ErrorActionPreference='Stop';$n='root\\standardcimv2\\embedded';"
    "$f=@(Get-CimInstance -Namespace $n -ClassName UWF_Filter|Select-Object CurrentEnabled,NextEnabled);"
    "$v=@(Get-CimInstance -Namespace $n -ClassName UWF_Volume|Where-Object {$_.CurrentSession}|"
    "Select-Object DriveLetter,Protected);"
    "$s=@(Get-CimInstance -Namespace $n -ClassName UWF_Servicing|Where-Object {$_.CurrentSession}|"
    "Select-Object ServicingEnabled);"
    "ConvertTo-Json -Compress -Depth 3 -InputObject @{filter=$f;volumes=$v;servicing=$s}")
UWF_SOURCE = r"WMI root\standardcimv2\embedded UWF_Filter"


def _listed(value: Any) -> list[Any]:
    """PowerShell's JSON of @(...): a list, or (older PowerShell, one item) the item itself."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def uwf_state(answer: str, system_drive: str) -> dict[str, Any]:
    """{state, current_enabled, next_enabled, servicing, protected_volumes, state_note} from the
    WMI query's JSON. On: the filter is on this session, outside servicing mode, and the system
    volume is protected; off otherwise. Anything unreadable is state None (could not be read)."""
    try:
        doc = json.loads(answer)
        filters = [f for f in _listed(doc.get("filter")) if isinstance(f, dict)]
        volumes = [v for v in _listed(doc.get("volumes")) if isinstance(v, dict)]
        servicing = [s for s in _listed(doc.get("servicing")) if isinstance(s, dict)]
    except (ValueError, AttributeError):
        return {"state": None, "state_note": f"{UWF_SOURCE}: not an answer: {answer.strip()[:120]!r}"}
    if not filters or not isinstance(filters[0].get("CurrentEnabled"), bool):
        return {"state": None, "state_note": f"{UWF_SOURCE}: no instance (the provider answered nothing)"}
    current, nxt = filters[0]["CurrentEnabled"], filters[0].get("NextEnabled")
    protected = sorted({str(v.get("DriveLetter") or "").upper() for v in volumes if v.get("Protected") is True} - {""})
    in_servicing = any(s.get("ServicingEnabled") is True for s in servicing)
    drive = system_drive.rstrip("\\/").upper()
    on = current and not in_servicing and drive in protected
    note = (f"{UWF_SOURCE}: CurrentEnabled={current}, NextEnabled={nxt}; protected: {', '.join(protected) or 'none'}"
            + ("; servicing mode" if in_servicing else ""))
    return {"state": "on" if on else "off", "current_enabled": current,
            "next_enabled": nxt if isinstance(nxt, bool) else None, "servicing": in_servicing,
            "protected_volumes": protected, "state_note": note}


def read_uwf(run: Runner, system_drive: str) -> dict[str, Any]:
    try:
        code, out = run(["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", UWF_QUERY], STATE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"state": None, "state_note": f"{UWF_SOURCE}: no answer within {STATE_TIMEOUT_S:g} s"}
    except OSError as exc:
        return {"state": None, "state_note": f"{UWF_SOURCE}: PowerShell did not start: {exc.strerror or exc}"}
    if code != 0:
        return {"state": None, "state_note": f"{UWF_SOURCE}: the query failed (exit {code}): {out.strip()[:120]}"}
    return uwf_state(out, system_drive)


def collect_restore(system: System, run: Runner | None = None, boot: Any = None) -> dict[str, Any]:
    """{"looked_for": [...ids], "found": [{product, name, marker, start, state, ...}], "boot_marker":
    {...} or None}; Unknown when the markers cannot be read (not Windows, or the registry refused).
    `run` runs DFC.exe and PowerShell (a fake in the tests); `boot` is this boot's stamp for the
    boot marker (readiness.pc.collect.bootmarker; None: read from Windows)."""
    if not isinstance(system, WindowsSystem):
        raise Unknown(Text("restore software and write filters are read from the Windows registry, on Windows only",
                           "还原软件和写入过滤器从 Windows 注册表读取，仅在 Windows 上可用"))
    run = run or run_quietly
    env = system.environ()
    found: list[dict[str, Any]] = []
    unreadable: list[str] = []
    try:
        programs = [e.get("DisplayName", "") for e in system.uninstall_entries()]
    except OSError as exc:
        programs = []
        unreadable.append(f"the Uninstall list ({exc})")
    for p in PRODUCTS:
        services_on = False
        for name in p.services:
            marker = f"HKLM\\{SERVICES}\\{name}"
            try:
                present, start = _service(system, name)
            except OSError as exc:
                unreadable.append(f"{marker} ({exc.strerror or exc})")
                continue
            if present:
                found.append({"product": p.id, "name": p.name, "marker": marker, "start": start, "state": None})
                services_on = services_on or start != 4
        if p.id == "deep-freeze":
            for shown, opened in find_dfc(env):
                found.append({"product": p.id, "name": p.name, "marker": shown, "start": None,
                              **deep_freeze_state(opened, run)})
        else:
            for raw in p.files:
                path = expand_windows_vars(raw, env)
                if path and os.path.isfile(native_path(path)):
                    found.append({"product": p.id, "name": p.name, "marker": ntpath.normpath(path), "start": None,
                                  "state": None})
        if p.id == "uwf" and services_on:  # its state only where its drivers may load
            found.append({"product": p.id, "name": p.name, "marker": UWF_SOURCE, "start": None,
                          **read_uwf(run, system.system_drive())})
        for display in programs:
            product = product_of_program(display)
            if product is not None and product.id == p.id:
                found.append({"product": p.id, "name": p.name, "marker": f"installed program {display!r}",
                              "start": None, "state": None})
    if unreadable and not found:
        what = "; ".join(unreadable)
        raise Unknown(Text(f"cannot read {what}", f"无法读取 {what}"))
    from readiness.pc.collect.bootmarker import boot_marker

    return {"looked_for": list(PRODUCT_IDS), "found": found, "boot_marker": boot_marker(env, boot)}
