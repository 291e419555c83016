"""The restore and write-filter products the `restore` check knows, each with its documented
markers and where they are documented. Light on purpose: the check (which judges a snapshot and
must start fast) and the collector (which reads the markers on Windows) both use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    services: tuple[str, ...] = ()  # keys under HKLM\SYSTEM\CurrentControlSet\Services (driver or service)
    files: tuple[str, ...] = ()  # files that only the product installs
    # the client's DisplayName in the Uninstall list (Programs and Features), matched as a whole name,
    # without case and without a trailing version ("Deep Freeze 8.60" is "Deep Freeze"): the
    # teacher's "Faronics Deep Freeze Enterprise Console" is no client and protects nothing
    programs: tuple[str, ...] = ()
    source: str = ""
    on_when_installed: bool = False  # its installation alone means it filters (no state of its own to read)


PRODUCTS: tuple[Product, ...] = (
    # Faronics' technical paper "Deep Freeze – Remote Administration & Secure Command Line Control"
    # (2012): DFC.exe, the command line control, is copied to C:\WINDOWS\system32\DFC.exe
    # (SysWOW64 on 64-bit Windows); Deep Freeze Enterprise guide, "DFC Return Values":
    # `DFC get /ISFROZEN` exits 1 frozen, 0 thawed, 2-5 on error (readiness.pc.collect.restore). The
    # DeepFrz driver and DFServ service are the names Windows lists on a Deep Freeze PC (as removal
    # notes name them); the client's Uninstall entry is "Deep Freeze" (冰点还原精灵 in Chinese editions),
    # "Faronics Deep Freeze Standard" / "... Enterprise" by edition, never the Enterprise Console.
    Product("deep-freeze", "Faronics Deep Freeze (冰点还原)", services=("DeepFrz", "DFServ"),
            files=(r"%SystemRoot%\System32\DFC.exe", r"%SystemRoot%\SysWOW64\DFC.exe"),
            programs=("Deep Freeze", "Faronics Deep Freeze", "Deep Freeze Standard", "Faronics Deep Freeze Standard",
                      "Deep Freeze Enterprise", "Faronics Deep Freeze Enterprise", "冰点还原", "冰点还原精灵"),
            source="Faronics: Deep Freeze Remote Administration & Secure Command Line Control (DFC.exe)"),
    # Microsoft Learn, Configuration Manager, "Plan for client deployment to Windows Embedded
    # devices": the write filters' drivers are uwfvol (volume manager), uwfs (file redirector) and
    # uwfreg (registry redirector); "Unified Write Filter (UWF) feature" (uwfmgr.exe). Whether the
    # filter is on now is UWF_Filter.CurrentEnabled (WMI root\standardcimv2\embedded, "UWF_Filter"),
    # with UWF_Volume.Protected of the system volume and UWF_Servicing (servicing mode turns it off).
    Product("uwf", "Unified Write Filter (UWF)", services=("uwfvol", "uwfs", "uwfreg"),
            source="Microsoft Learn: Plan for client deployment to Windows Embedded devices; Unified Write Filter"),
    # Same Microsoft Learn table: ewf (sector-level), fbwf (file-based); ConfigureEwf (XP Embedded)
    # reads HKLM\System\CurrentControlSet\Services\EWF.
    Product("ewf", "Enhanced Write Filter (EWF)", services=("ewf",), on_when_installed=True,
            source="Microsoft Learn: Plan for client deployment to Windows Embedded devices; ConfigureEwf"),
    Product("fbwf", "File-Based Write Filter (FBWF)", services=("fbwf",), on_when_installed=True,
            source="Microsoft Learn: Plan for client deployment to Windows Embedded devices"),
    # No public documentation of driver or service names was found for these two; their installers
    # register the product name in the Uninstall list, which Windows documents (Programs and Features).
    # Installed is not on: Shadow Mode is entered on demand, and no documented way reads it.
    Product("shadow-defender", "Shadow Defender", programs=("Shadow Defender",),
            source="vendor's product name (shadowdefender.com) in the Uninstall list"),
    Product("powershadow", "影子系统 (PowerShadow)", programs=("影子系统", "PowerShadow", "影子系统 PowerShadow", "PowerShadow Master",
                                                          "影子系统 PowerShadow Master"),
            source="vendor's product name (影子系统 PowerShadow Master) in the Uninstall list"),
)

PRODUCT_IDS: tuple[str, ...] = tuple(p.id for p in PRODUCTS)


def program_name(display: str) -> str:
    """An Uninstall entry's DisplayName as compared with Product.programs: without case, spaces
    squeezed, a trailing version ("8.60.220.5582", "V8.6", "2008") and an edition year dropped."""
    import re

    name = " ".join(display.split()).lower()
    return re.sub(r"(\s+v?\d[\d.]*)+$", "", name)


def product_of_program(display: str) -> Product | None:
    """The product whose client an Uninstall entry is, matched as a whole name; None for any other
    program (a console, a viewer, a name that merely contains a product's words)."""
    name = program_name(display)
    for p in PRODUCTS:
        if any(program_name(w) == name for w in p.programs):
            return p
    return None
