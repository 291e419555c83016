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
    programs: tuple[str, ...] = ()  # words of its DisplayName in the Uninstall list (Programs and Features)
    source: str = ""


PRODUCTS: tuple[Product, ...] = (
    # Faronics' technical paper "Deep Freeze – Remote Administration & Secure Command Line Control"
    # (2012): DFC.exe, the command line control, is copied to C:\WINDOWS\system32\DFC.exe. The
    # DeepFrz driver and DFServ service are the names Windows lists on a Deep Freeze PC (as removal
    # notes name them); the Uninstall entry is "Deep Freeze" (冰点还原精灵 in Chinese editions).
    Product("deep-freeze", "Faronics Deep Freeze (冰点还原)", services=("DeepFrz", "DFServ"),
            files=(r"%SystemRoot%\System32\DFC.exe", r"%SystemRoot%\SysWOW64\DFC.exe"),
            programs=("Deep Freeze", "冰点还原"),
            source="Faronics: Deep Freeze Remote Administration & Secure Command Line Control (DFC.exe)"),
    # Microsoft Learn, Configuration Manager, "Plan for client deployment to Windows Embedded
    # devices": the write filters' drivers are uwfvol (volume manager), uwfs (file redirector) and
    # uwfreg (registry redirector); "Unified Write Filter (UWF) feature" (uwfmgr.exe). Whether the
    # filter is on now is UWF_Filter.CurrentEnabled (WMI root\standardcimv2\embedded), not read here.
    Product("uwf", "Unified Write Filter (UWF)", services=("uwfvol", "uwfs", "uwfreg"),
            source="Microsoft Learn: Plan for client deployment to Windows Embedded devices; Unified Write Filter"),
    # Same Microsoft Learn table: ewf (sector-level), fbwf (file-based); ConfigureEwf (XP Embedded)
    # reads HKLM\System\CurrentControlSet\Services\EWF.
    Product("ewf", "Enhanced Write Filter (EWF)", services=("ewf",),
            source="Microsoft Learn: Plan for client deployment to Windows Embedded devices; ConfigureEwf"),
    Product("fbwf", "File-Based Write Filter (FBWF)", services=("fbwf",),
            source="Microsoft Learn: Plan for client deployment to Windows Embedded devices"),
    # No public documentation of driver or service names was found for these two; their installers
    # register the product name in the Uninstall list, which Windows documents (Programs and Features).
    Product("shadow-defender", "Shadow Defender", programs=("Shadow Defender",),
            source="vendor's product name (shadowdefender.com) in the Uninstall list"),
    Product("powershadow", "影子系统 (PowerShadow)", programs=("影子系统", "PowerShadow"),
            source="vendor's product name (影子系统 PowerShadow Master) in the Uninstall list"),
)

PRODUCT_IDS: tuple[str, ...] = tuple(p.id for p in PRODUCTS)
