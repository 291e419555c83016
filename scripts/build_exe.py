#!/usr/bin/env python3
"""Build readiness.exe (one file) and the one-folder zip for Windows x64, on Linux, under Wine.

    python scripts/build_exe.py [--dist dist] [--twice]

PyInstaller is no cross-compiler, but it runs on Windows' own CPython under Wine, and what it
builds there is an ordinary Windows program. The Windows runtime is the one of the Windows lane
(scripts/wine_runtime.py: the embeddable CPython 3.13 in a Win10 prefix, cached), here in a prefix
of its own and with the pinned wheels of packaging/requirements-exe.txt (the program's dependencies
and PyInstaller) plus the wheel of this checkout. packaging/readiness.spec does the rest: the
package metadata (the checks are entry points), a version resource carrying the package version,
the manifest (Windows 8.1/10/11, asInvoker), no UPX.

Output in DIST: readiness.exe, readiness-VERSION-win64.zip (the folder readiness\\ with
readiness.exe and _internal\\, for PCs whose antivirus blocks the one-file unpacking), SHA256SUMS.
It prints their sizes and SHA-256.

Reproducible: SOURCE_DATE_EPOCH (the last commit's time, else the version's fixed date below) sets
the PE timestamps, the wheel's and the zip's dates; PYTHONHASHSEED=0; sorted zip entries; the same
pinned wheels. --twice builds a second time in fresh folders and compares the hashes.

Settings (environment): READINESS_WINE_CACHE (as wine_runtime), READINESS_EXE_WINEPREFIX (the
prefix of these builds; default: a prefix-exe-* folder in the cache, apart from the test lane's).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import wine_runtime  # noqa: E402  (the Windows lane's runtime, scripts/wine_runtime.py)

SPEC = ROOT / "packaging" / "readiness.spec"
LOCK = ROOT / "packaging" / "requirements-exe.txt"
FALLBACK_EPOCH = 1767225600  # 2026-01-01T00:00:00Z, when the checkout is no git repository
SKIP_COPY = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".mypy_cache", ".hypothesis"}


def say(msg: str) -> None:
    print(f"[build-exe] {msg}", file=sys.stderr, flush=True)


def default_prefix() -> Path:
    """The Wine prefix of these builds (and of the exe's smoke tests), apart from the test lane's."""
    return Path(os.environ.get("READINESS_EXE_WINEPREFIX")
                or wine_runtime.cache_dir() / f"prefix-exe-{wine_runtime.wine_version()}")


def package_version() -> str:
    text = (ROOT / "readiness" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not match:
        raise SystemExit("no __version__ in readiness/__init__.py")
    return match.group(1)


def source_date_epoch() -> int:
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True,
                         check=False)
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else FALLBACK_EPOCH


def pinned_requirements() -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in LOCK.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def build_wheel(out: Path, env: dict[str, str]) -> Path:
    """The project's wheel from a copy of the checkout (setuptools' build/ folder keeps stale files)."""
    src = out / "src"
    shutil.copytree(ROOT, src, ignore=lambda d, names: [n for n in names if n in SKIP_COPY or n.endswith(".egg-info")])
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "-q", "--no-deps",
                    str(src), "-w", str(out / "wheel")], check=True, env=env, stdout=subprocess.DEVNULL)
    return next((out / "wheel").glob("exam_readiness-*.whl"))


def winpath(path: Path) -> str:
    """The Windows name of a Linux path (Wine's Z: drive is /)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def zip_folder(folder: Path, target: Path, epoch: int) -> None:
    """A zip of folder (under its own name) with sorted entries and fixed dates: same input, same bytes."""
    stamp = time.gmtime(max(epoch, 315532800))[:6]  # zip dates start in 1980
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    tmp = target.with_name(f".{target.name}.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    os.replace(tmp, target)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_once(dist: Path, scratch: Path, rt: wine_runtime.Runtime, epoch: int, version: str) -> list[Path]:
    work, out = scratch / "work", scratch / "out"
    t0 = time.monotonic()
    env = {"SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    result = wine_runtime.run_python(rt, ["-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                                          "--distpath", winpath(out), "--workpath", winpath(work), winpath(SPEC)],
                                     env=env, capture=True, timeout=1800)
    if result.returncode != 0:
        sys.stderr.write(result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"PyInstaller failed (exit {result.returncode})")
    say(f"PyInstaller: {time.monotonic() - t0:.1f}s")
    dist.mkdir(parents=True, exist_ok=True)
    exe = dist / "readiness.exe"
    shutil.copyfile(out / "readiness.exe", exe)
    archive = dist / f"readiness-{version}-win64.zip"
    zip_folder(out / "readiness", archive, epoch)
    return [exe, archive]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the exe and the zip go")
    ap.add_argument("--twice", action="store_true", help="build again in fresh folders and compare the hashes")
    ns = ap.parse_args(argv)
    t0 = time.monotonic()
    version, epoch = package_version(), source_date_epoch()
    os.environ["READINESS_WINEPREFIX"] = str(default_prefix())
    host_env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), PYTHONHASHSEED="0")
    with tempfile.TemporaryDirectory(prefix="readiness-exe-") as tmp:
        scratch = Path(tmp)
        wheel = build_wheel(scratch, host_env)
        say(f"wheel: {wheel.name}")
        rt = wine_runtime.prepare(extra_wheels=[wheel], requirements=pinned_requirements())
        files = build_once(ns.dist, scratch / "1", rt, epoch, version)
        sums = {p.name: sha256(p) for p in files}
        if ns.twice:
            again = build_once(scratch / "dist2", scratch / "2", rt, epoch, version)
            for p in again:
                same = sha256(p) == sums[p.name]
                say(f"second build: {p.name} {'identical' if same else 'DIFFERENT'}")
                if not same:
                    return 1
    (ns.dist / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sums.items()), encoding="ascii")
    print(f"exam-readiness {version} for Windows x64 (SOURCE_DATE_EPOCH={epoch}), "
          f"built in {time.monotonic() - t0:.0f}s:")
    for p in files:
        print(f"  {p.name:<34} {p.stat().st_size / 1e6:7.2f} MB  sha256 {sums[p.name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
