"""The thin Windows layer for installing a font system-wide.

Installing for all users means: the file in %WINDIR%\\Fonts, a value under
HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Fonts, AddFontResourceW for this session and
WM_FONTCHANGE broadcast to running programs (the Win32 calls are declared in readiness.core.win32).
Tested through a fake of ``FontHost``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from readiness.core import win32

FONTS_KEY = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts"


class FontHost(Protocol):
    def unsupported(self) -> str | None:
        """Why fonts cannot be installed here, or None."""

    def is_admin(self) -> bool: ...
    def fonts_dir(self) -> Path: ...
    def registry_get(self, name: str) -> str | None: ...
    def registry_set(self, name: str, data: str) -> None: ...
    def registry_delete(self, name: str) -> None:
        """FileNotFoundError when there is no such value (as winreg.DeleteValue raises)."""

    def add_font_resource(self, path: str) -> int:
        """AddFontResourceW: the number of fonts added, 0 on failure (no extended error)."""

    def remove_font_resource(self, path: str) -> bool: ...
    def broadcast_font_change(self) -> None: ...


class NoFontHost:
    """Off Windows: the font part of `fix` is refused before anything changes."""

    def unsupported(self) -> str | None:
        return "installing a font system-wide works on Windows only"

    def is_admin(self) -> bool:
        return False

    def fonts_dir(self) -> Path:
        raise OSError("no Windows font folder here")

    def registry_get(self, name: str) -> str | None:
        return None

    def registry_set(self, name: str, data: str) -> None:
        raise OSError("no registry here")

    def registry_delete(self, name: str) -> None:
        raise OSError("no registry here")

    def add_font_resource(self, path: str) -> int:
        return 0

    def remove_font_resource(self, path: str) -> bool:
        return False

    def broadcast_font_change(self) -> None:
        pass


class WindowsFontHost:  # pragma: no cover - needs Windows
    def unsupported(self) -> str | None:
        return None

    def is_admin(self) -> bool:
        try:
            return win32.is_admin()
        except (AttributeError, OSError):
            return False

    def fonts_dir(self) -> Path:
        return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"

    def _key(self, write: bool):  # type: ignore[no-untyped-def]
        import winreg

        access = (winreg.KEY_SET_VALUE if write else winreg.KEY_READ) | winreg.KEY_WOW64_64KEY
        return winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, FONTS_KEY, 0, access)

    def registry_get(self, name: str) -> str | None:
        import winreg

        try:
            with self._key(False) as key:
                return str(winreg.QueryValueEx(key, name)[0])
        except FileNotFoundError:
            return None

    def registry_set(self, name: str, data: str) -> None:
        import winreg

        with self._key(True) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, data)

    def registry_delete(self, name: str) -> None:
        import winreg

        with self._key(True) as key:
            winreg.DeleteValue(key, name)

    def add_font_resource(self, path: str) -> int:
        return win32.add_font_resource(path)

    def remove_font_resource(self, path: str) -> bool:
        return win32.remove_font_resource(path)

    def broadcast_font_change(self) -> None:
        win32.broadcast_font_change()


def current_font_host() -> FontHost:
    return WindowsFontHost() if os.name == "nt" else NoFontHost()
