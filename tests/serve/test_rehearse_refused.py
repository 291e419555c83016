"""`readiness rehearse` against a server that will never take part: a wrong submit token (401) or
an address with no rehearsals (a branch-only server's 404) fails the same way every time, so it is
said as a refusal naming the setting to correct, in both languages, and the command exits 2
instead of "waiting for the server (HTTPError)" forever. A server that is only away still means
waiting, said in words (the one network describer), not an exception's name."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import readiness.pc.agent as agent_module  # its names read at call time: test_agent_hostile reloads the module
from readiness.core.i18n import Lang
from tests.serve.server import TOKEN, running
from tests.serve.test_roles import profile_of


def rehearse(url: str, token: str, lang: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "readiness", "rehearse", "--server", url, "--token", token,
                           "--seat", "R-1", "--rounds", "1", "--lang", lang],
                          capture_output=True, text=True, encoding="utf-8", timeout=60,
                          env=dict(os.environ, PYTHONIOENCODING="utf-8"))


@pytest.mark.parametrize("lang, words", [("en", ("refuses this PC's submit token", "server.token")),
                                         ("zh", ("服务器拒绝本机的提交令牌", "server.token"))])
def test_a_wrong_token_is_a_refusal_and_exits_2(tmp_path: Path, lang: str, words: tuple[str, str]) -> None:
    with running(tmp_path / "d", profile_of("site", tmp_path)) as srv:
        done = rehearse(srv.url, "not-the-" + TOKEN, lang)
    assert done.returncode == 2, done.stderr
    assert all(w in done.stderr for w in words), done.stderr
    assert "HTTPError" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("lang, words", [("en", ("no rehearsals at this address", "branch server", "server.url")),
                                         ("zh", ("该地址没有开考演练", "分部服务器", "server.url"))])
def test_a_branch_only_server_is_not_waited_for(tmp_path: Path, lang: str, words: tuple[str, ...]) -> None:
    with running(tmp_path / "d", profile_of("branch", tmp_path)) as srv:
        done = rehearse(srv.url, TOKEN, lang)
    assert done.returncode == 2, done.stderr
    assert all(w in done.stderr for w in words), done.stderr


def test_the_right_token_on_a_site_is_not_refused(tmp_path: Path) -> None:
    """The boundary: the same agent on a site with the right token polls and waits (no round yet)."""
    lines: list[str] = []
    stop = threading.Event()
    with running(tmp_path / "d", profile_of("site", tmp_path)) as srv:
        agent = agent_module.Agent(srv.url, TOKEN, "R-1", 2**20, echo=lines.append, stop=stop)
        assert agent.poll() is None  # no round: waiting, not refused
        wrong = agent_module.Agent(srv.url, "x" + TOKEN, "R-1", 2**20, echo=lines.append, stop=stop)
        with pytest.raises(agent_module.Refused):
            wrong.poll()
    assert lines == []


def test_a_server_away_is_waited_for_in_words(tmp_path: Path) -> None:
    lines: list[str] = []
    stop = threading.Event()
    agent = agent_module.Agent("http://127.0.0.1:9", TOKEN, "R-1", 2**20, timeout_s=2, echo=lines.append, stop=stop, lang=Lang.EN)
    threading.Timer(1.5, stop.set).start()
    assert agent.run(1) == 0
    assert lines and "waiting for the server (the connection was refused" in lines[0], lines
    assert "ConnectionError" not in lines[0]
