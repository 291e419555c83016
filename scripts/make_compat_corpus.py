"""Make tests/compat/<version>/: documents exactly as one readiness version wrote them.

    python scripts/make_compat_corpus.py --ref 7a060de      # a version from git history (0.1.0)
    python scripts/make_compat_corpus.py --current          # this checkout, at release (README "Releasing")

The version is run, never imitated: for --ref, `git worktree add` of that commit in a temporary
folder, laid out as an installed distribution (its readiness/, checks/ and reports/ where its
pyproject.toml's package-dir puts them, and a .dist-info with its own entry points), in a venv of its
own without pip whose only other path is the running interpreter's site-packages for the
dependencies: nothing is downloaded, so it works offline. --current runs this checkout the same way.
The version's name is what that tree's `readiness.__version__` says.

What the set holds (manifest.json lists every file with the command and exit code that made it):
- facts/: `readiness facts` of that version against a local HTTP server on 127.0.0.1 (endpoints,
  egress-IP echo, a download for the bandwidth), and facts made from the version's own
  examples/*.json by the recipes in VARIANTS below (one dotted path replaced each; the real network
  section spliced in for "*-online"). Only the recipes are written here; the files come out of them.
- reports/: `readiness check --facts F --profile site.toml --format json` of that version for each.
- site.json: `readiness aggregate reports --format json` of that version (readiness.site/1).
- branch.json: `readiness aggregate site.json --format json` where the version reads site documents
  (readiness.branch/1; absent before the branch existed, and the manifest says so).
- phones.json: the phone checks as that version's `readiness serve` judged them (POST /api/phones
  with the bodies in PHONES, then GET /api/phones).
Never edit a set by hand: make it again.
"""

from __future__ import annotations

import argparse
import copy
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import tomllib
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
COMPAT = ROOT / "tests" / "compat"
TOKEN, PHONE_TOKEN, KEY = "compat-submit-token", "compat-phone-token", "compat-manager-key"
EGRESS_IP = "203.0.113.7"

# facts made from the version's own examples: (name, example file, {dotted path: value})
VARIANTS: list[tuple[str, str, dict[str, Any]]] = [
    ("ready", "ready-pc.json", {}),
    ("not-ready", "not-ready-pc.json", {}),
    ("memory-4gib", "ready-pc.json", {"memory.installed_bytes": 4 * 2**30, "memory.usable_bytes": 4 * 2**30 - 2**28}),
    ("client-1.2.0", "ready-pc.json", {"client.version": "1.2.0-0"}),
    ("font-missing", "ready-pc.json", {"fonts.msyh": []}),
    ("windows-11", "ready-pc.json", {"os.build": "22631"}),
    ("memory-unreadable", "ready-pc.json", {"memory.installed_bytes": None, "memory.usable_bytes": None,
                                            "errors": {"memory": "cannot read"}}),
    ("ready-online", "ready-pc.json", {"network": "<collected>", "not_collected": {}}),
]
SITE = {"id": "1101", "name": "Compat site", "seats": 10, "public_ips": [EGRESS_IP]}
ANDROID = ("Mozilla/5.0 (Linux; Android 13; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Mobile Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/16.5 Mobile/15E148 Safari/604.1")
PHONES: list[dict[str, Any]] = [  # what the phone page posts (readiness.phone/1)
    {"schema": "readiness.phone/1", "user_agent": ANDROID, "ua_ch": None, "device_memory": 8,
     "screen": {"width": 412, "height": 915}, "max_touch_points": 5, "app_version": "2.4.4.24", "name": "Inv A",
     "room": "101"},
    {"schema": "readiness.phone/1", "user_agent": IPHONE, "ua_ch": None, "device_memory": None,
     "screen": {"width": 390, "height": 844}, "max_touch_points": 5, "app_version": "2.4.1", "name": "Inv B",
     "room": "101"},
]


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", **kw)


def install(tree: Path, env_dir: Path) -> Path:
    """A venv whose site-packages holds `tree` as installed (no pip, nothing downloaded); its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    project = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))
    dirs = project.get("tool", {}).get("setuptools", {}).get("package-dir", {})
    shutil.copytree(tree / "readiness", site / "readiness", ignore=shutil.ignore_patterns("__pycache__"))
    for package, folder in dirs.items():  # readiness.checks = "checks", readiness.reports = "reports"
        if package.startswith("readiness.") and (tree / folder).is_dir():
            shutil.copytree(tree / folder, site / Path(*package.split(".")), dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
    version = re.search(r'^__version__ = "([^"]+)"', (tree / "readiness/__init__.py").read_text(encoding="utf-8"), re.M)
    info = site / f"exam_readiness-{version[1] if version else '0'}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: exam-readiness\nVersion: {version[1] if version else '0'}\n",
                                   encoding="utf-8")
    lines = []
    for group, eps in project.get("project", {}).get("entry-points", {}).items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {value}" for name, value in eps.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


class _Quiet(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the bandwidth download is cut off at its window: not an error


class _Local(http.server.BaseHTTPRequestHandler):
    """The exam server, the egress-IP echo and a download, on 127.0.0.1."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        if self.path.startswith("/ip"):
            body = EGRESS_IP.encode()
        elif self.path.startswith("/paper"):
            body = b"\0" * (8 * 2**20)
        else:
            body = b"<html>exam</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _profile(path: Path, base: str, server_url: str | None = None) -> Path:
    lines = ["[site]", f'id = "{SITE["id"]}"', f'name = "{SITE["name"]}"', f"seats = {SITE['seats']}",
             f'public_ips = ["{EGRESS_IP}"]', "", "[network]", f'endpoints = ["{base}/exam"]',
             f'ip_echo_urls = ["{base}/ip"]', "timeout_s = 3.0", "deadline_s = 30.0", "", "[bandwidth]",
             f'url = "{base}/paper"', 'backend = "http"', "duration_s = 1.0", "warmup_s = 0.0", "streams = 1", ""]
    lines += ["[server]", f'token = "{TOKEN}"', f'phone_token = "{PHONE_TOKEN}"', f'admin_key = "{KEY}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    node = doc
    *parents, last = path.split(".")
    for p in parents:
        node = node[p]
    node[last] = value


class Maker:
    def __init__(self, python: Path, tree: Path, out: Path, scratch: Path) -> None:
        self.python, self.tree, self.out, self.scratch = python, tree, out, scratch
        self.files: dict[str, dict[str, Any]] = {}
        self.env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1",
                    "READINESS_OUTBOX": str(scratch / "outbox"), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
        for k in ("PYTHONPATH", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            self.env.pop(k, None)

    def readiness(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run([str(self.python), "-m", "readiness", *args], env=self.env, cwd=self.scratch)

    def keep(self, name: str, kind: str, cmd: str, code: int | None) -> None:
        self.files[name] = {"kind": kind, "command": cmd, "exit_code": code}

    def version(self) -> str:
        got = run([str(self.python), "-c", "import readiness; print(readiness.__version__)"], env=self.env)
        if got.returncode:
            raise SystemExit(f"cannot import that version's readiness: {got.stderr}")
        return got.stdout.strip()

    def make(self, commit: str) -> None:
        (self.out / "facts").mkdir(parents=True)
        (self.out / "reports").mkdir()
        server = _Quiet(("127.0.0.1", 0), _Local)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        profile = _profile(self.scratch / "site.toml", base)
        try:
            collected = self.out / "facts" / "collected.json"
            got = self.readiness("facts", "--profile", str(profile), "--output", str(collected))
            if got.returncode or not collected.exists():
                raise SystemExit(f"readiness facts failed ({got.returncode}): {got.stderr}")
            self.keep("facts/collected.json", "facts", "readiness facts --profile site.toml", got.returncode)
        finally:
            server.shutdown()
        network = json.loads(collected.read_text(encoding="utf-8")).get("network")
        for name, example, changes in VARIANTS:
            doc = json.loads((self.tree / "examples" / example).read_text(encoding="utf-8"))
            changes = {"host.hostname": f"PC-{name.upper()}", "host.machine_id": f"compat-{name}", **changes}
            for path, value in changes.items():  # each its own PC, so the site counts every one
                _set(doc, path, copy.deepcopy(network) if value == "<collected>" else value)
            (self.out / "facts" / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n",
                                                             encoding="utf-8")
            self.keep(f"facts/{name}.json", "facts", f"examples/{example} with {', '.join(sorted(changes))} "
                      "(scripts/make_compat_corpus.py VARIANTS)", None)
        for facts in sorted((self.out / "facts").glob("*.json")):
            report = self.out / "reports" / facts.name
            got = self.readiness("check", "--facts", str(facts), "--profile", str(profile), "--format", "json",
                                 "--output", str(report), "--lang", "en")
            if not report.exists():
                raise SystemExit(f"readiness check --facts {facts.name} wrote nothing ({got.returncode}): {got.stderr}")
            self.keep(f"reports/{facts.name}", "report", f"readiness check --facts facts/{facts.name} "
                      "--profile site.toml --format json", got.returncode)
        site = self.out / "site.json"
        got = self.readiness("aggregate", str(self.out / "reports"), "--format", "json")
        if got.returncode not in (0, 1, 3):
            raise SystemExit(f"readiness aggregate failed ({got.returncode}): {got.stderr}")
        site.write_text(_relative(got.stdout, self.out), encoding="utf-8")
        self.keep("site.json", "site", "readiness aggregate reports --format json", got.returncode)
        got = self.readiness("aggregate", str(site), "--format", "json")
        if got.returncode in (0, 1, 3) and '"readiness.branch/1"' in got.stdout:
            (self.out / "branch.json").write_text(got.stdout, encoding="utf-8")
            self.keep("branch.json", "branch", "readiness aggregate site.json --format json", got.returncode)
        self.phones(profile)
        manifest = {"version": self.version(), "commit": commit, "made_by": "scripts/make_compat_corpus.py",
                    "site_profile": _profile_text(profile), "files": dict(sorted(self.files.items()))}
        if "branch.json" not in self.files:
            manifest["branch"] = "this version does not read site documents: no readiness.branch/1"
        (self.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")

    def phones(self, profile: Path) -> None:
        """The phone checks as this version's server judged them."""
        import requests

        port = _free_port()
        proc = subprocess.Popen([str(self.python), "-m", "readiness", "serve", "--profile", str(profile), "--data",
                                 str(self.scratch / "data"), "--host", "127.0.0.1", "--port", str(port)],
                                env=self.env, cwd=self.scratch, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    requests.get(url + "/api/clock", timeout=1)
                    break
                except requests.RequestException:
                    if proc.poll() is not None:
                        raise SystemExit(f"that version's serve stopped: {proc.stderr.read() if proc.stderr else ''}")
                    time.sleep(0.1)
            answers = []
            for body in PHONES:
                r = requests.post(url + "/api/phones", json=body, timeout=10,
                                  headers={"Authorization": f"Bearer {PHONE_TOKEN}"})
                answers.append({"sent": body, "status_code": r.status_code, "answer": r.json()})
            listed = requests.get(url + "/api/phones", headers={"Authorization": f"Bearer {KEY}"}, timeout=10).json()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        doc = {"posted": answers, "listed": listed}
        (self.out / "phones.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        self.keep("phones.json", "phones", "readiness serve: POST /api/phones each of PHONES, GET /api/phones", None)


def _profile_text(path: Path) -> str:
    return re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:9", path.read_text(encoding="utf-8"))


def _relative(text: str, out: Path) -> str:
    """Paths in the site document as the set's own (reports/x.json), not the temporary folder's."""
    return text.replace(json.dumps(str(out))[1:-1] + "/", "").replace(json.dumps(str(out))[1:-1] + "\\\\", "")


@contextmanager
def _worktree(ref: str, where: Path) -> Iterator[str]:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), ref], check=True,
                   capture_output=True)
    try:
        yield run(["git", "-C", str(where), "rev-parse", "HEAD"]).stdout.strip()
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], check=False,
                       capture_output=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--ref", help="a commit or tag of a released version (0.1.0 is 7a060de)")
    which.add_argument("--current", action="store_true", help="this checkout (at release, after the bump)")
    ap.add_argument("--into", type=Path, default=COMPAT, help="where the <version>/ folder goes")
    ap.add_argument("--replace", action="store_true", help="make a set that exists again")
    ns = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="compat-") as tmp:
        scratch = Path(tmp)
        if ns.current:
            tree = ROOT
            head = run(["git", "-C", str(ROOT), "rev-parse", "HEAD"]).stdout.strip()
            if run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"]).stdout.strip():
                print("note: the checkout has uncommitted changes; the set is of what is on disk", file=sys.stderr)
            trees: Any = nullcontext(head)
        else:
            tree = scratch / "tree"
            trees = _worktree(ns.ref, tree)
        with trees as commit:
            python = install(tree, scratch / "venv")
            staging = scratch / "set"
            maker = Maker(python, tree, staging, scratch)
            version = maker.version()
            target = ns.into / version
            if target.exists() and not ns.replace:
                raise SystemExit(f"{target} exists: a released version's documents do not change (--replace to remake)")
            maker.make(commit)
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(staging, target)
    print(f"{target}: {len(maker.files)} documents of readiness {version} ({commit[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
