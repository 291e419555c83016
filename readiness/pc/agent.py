"""The PC's side of an exam-start rehearsal (`readiness rehearse`): wait for a round, start at
its moment in the server's clock, download the paper-sized object, report.

The clock offset to the server is estimated from several request round trips to /api/clock,
keeping the one with the shortest round trip (the NTP idea: its midpoint is the least uncertain).
The download takes only the round's URL, never more than the paper's bytes (and the profile's
bandwidth.max_mb), and gives up at the round's deadline. An agent that loses the server goes back
to waiting. Every line it says, and every error it reports (`error` in English for the contract,
`error_text` in both languages for the dashboard), is born bilingual; it speaks the CLI's language.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from readiness.core.i18n import Lang, Text, TextError

if TYPE_CHECKING:
    from readiness.core.tls import Trust

POLL_S = 1.0
OFFSET_SAMPLES = 8
MAX_LEAD_S = 600.0 + 60.0       # rehearsal.lead_s is at most 600 s; a start further off is no round
MAX_DEADLINE_S = 3600.0 + 60.0  # rehearsal.deadline_s is at most 3600 s
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # waiting for a server that is away: ever longer, bounded
MAX_RETRY_AFTER_S = 60.0


class Refused(TextError):
    """The server refuses this PC's settings (401/403: its token; 404: not a site server's address):
    the same request fails the same way every time, so waiting is no remedy: said, and the agent stops."""


def refusal(r: Any, server: str) -> Refused | None:
    """What a refusing answer means for the technician, or None when waiting may help (5xx, a
    server restarting). The server's own reason (both languages) is kept beside the setting to correct."""
    from readiness.pc.net.errors import server_reason

    code = r.status_code
    if code not in (401, 403, 404):
        return None
    why = server_reason(r)
    said = Text(f"{code}: {why.en}" if why.en else str(code), f"{code}：{why.zh}" if why.zh else str(code))
    if code == 404:
        return Refused(Text(f"the server has no rehearsals at this address ({said.en}): check server.url ({server})",
                            f"该地址没有开考演练（{said.zh}）：请检查 server.url（{server}）"))
    return Refused(Text(f"the server refuses this PC's submit token ({said.en}): correct server.token (or --token)",
                        f"服务器拒绝本机的提交令牌（{said.zh}）：请更正 server.token（或 --token）"))


class RateLimited(Exception):
    """429: the server asks this address to wait (PCs behind one NAT address share its budget)."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"429, retry after {retry_after_s:g} s")
        self.retry_after_s = retry_after_s


def retry_after(headers: Any) -> float:
    """Retry-After in seconds (a number; an HTTP date or nonsense counts as the poll interval), bounded."""
    import math

    try:
        value = float(str(headers.get("Retry-After", "")).strip())
    except ValueError:
        return POLL_S
    return min(MAX_RETRY_AFTER_S, value) if math.isfinite(value) and value > 0 else POLL_S


@dataclass(frozen=True)
class Offset:
    offset_s: float  # server clock - local clock
    rtt_s: float


def estimate_offset(server_now: Callable[[], float], local: Callable[[], float],
                    samples: int = OFFSET_SAMPLES) -> Offset:
    """The offset of the sample with the shortest round trip. A 429 part-way keeps what was measured
    (one sample is an estimate too); only a 429 before any sample is passed on."""
    best: Offset | None = None
    for _ in range(samples):
        t0 = local()
        try:
            remote = server_now()
        except RateLimited:
            if best is None:
                raise
            break
        t1 = local()
        sample = Offset(remote - (t0 + t1) / 2, t1 - t0)
        if best is None or sample.rtt_s < best.rtt_s:
            best = sample
    assert best is not None
    return best


class Agent:
    def __init__(self, server: str, token: str, seat: str, max_bytes: int, timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, stop: threading.Event | None = None,
                 echo: Callable[[str], None] = lambda line: None, allowed_urls: tuple[str, ...] = (),
                 lang: Lang = Lang.EN, trust: "Trust | None" = None) -> None:
        """trust: how the site server's certificate is checked ([server] fingerprint or ca_file);
        the pin holds for the server's own address only (a paper on a CDN is checked as usual)."""
        from readiness.core.tls import Trust

        self.server = server.rstrip("/")
        self.seat = seat
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.clock = clock
        self.stop = stop or threading.Event()
        self.echo = echo
        self.lang = Lang(lang)
        self.trust = trust or Trust("server")
        self.session = self.trust.session(self.server)  # the site server is on the LAN: never through a proxy
        self.auth = {"Authorization": f"Bearer {token}"}
        self.allowed_urls = allowed_urls  # besides the server's own paper: what this PC's profile names
        self.done: set[int] = set()
        self.offset: Offset | None = None  # server clock - self.clock (monotonic: a PC's clock step cannot move it)

    def say(self, line: Text) -> None:
        self.echo(line(self.lang))

    # -- talking to the server --------------------------------------------------------------------
    def server_now(self) -> float:
        import math

        r = self.session.get(self.server + "/api/clock", timeout=self.timeout_s, allow_redirects=False)
        if r.status_code == 429:
            raise RateLimited(retry_after(r.headers))
        refused = refusal(r, self.server)
        if refused is not None:
            raise refused
        r.raise_for_status()
        now = float(r.json()["now"])
        if not math.isfinite(now):
            raise ValueError("the server's clock is not a number")
        return now

    def sync(self) -> Offset:
        self.offset = estimate_offset(self.server_now, self.clock)
        return self.offset

    def poll(self) -> dict[str, Any] | None:
        r = self.session.get(self.server + "/api/rehearsals/poll", params={"seat": self.seat}, headers=self.auth,
                             timeout=self.timeout_s)
        if r.status_code in (400, 409):  # the server says what is wrong with this seat: show it, keep waiting
            try:
                why = str(r.json().get("error", ""))
            except ValueError:
                why = r.text[:200]
            self.say(Text(f"the server refuses this seat ({r.status_code}): {why}",
                          f"服务器拒绝此机位（{r.status_code}）：{why}"))
            self.stop.wait(max(POLL_S, 5.0))
            return None
        if r.status_code == 429:  # a room behind one address: wait as told, keep the clock offset
            raise RateLimited(retry_after(r.headers))
        refused = refusal(r, self.server)
        if refused is not None:
            raise refused
        r.raise_for_status()
        found = r.json().get("round")
        return found if isinstance(found, dict) else None

    def report(self, round_id: int, result: dict[str, Any], tries: int = 5) -> None:
        """Send the result, trying again a few times: a short outage must not lose a round."""
        import requests

        for attempt in range(tries):
            try:
                r = self.session.post(f"{self.server}/api/rehearsals/{round_id}/results",
                                      json=dict(result, seat=self.seat), headers=self.auth, timeout=self.timeout_s)
                if r.status_code < 500 and r.status_code != 429:
                    refused = refusal(r, self.server) if r.status_code in (401, 403) else None  # 404: that round is gone
                    if refused is not None:
                        raise refused
                    r.raise_for_status()
                    return
            except requests.ConnectionError:
                if attempt == tries - 1:
                    raise
            if self.stop.wait(1.0 * (attempt + 1)):
                return
        r.raise_for_status()

    # -- one round --------------------------------------------------------------------------------
    def server_time(self) -> float:
        return self.clock() + (self.offset.offset_s if self.offset else 0.0)

    def wait_until(self, server_at: float) -> bool:
        while not self.stop.is_set():
            left = server_at - self.server_time()
            if left <= 0:
                return True
            self.stop.wait(min(left, 0.25) if left > 0.3 else max(0.0, left))
        return False

    def download(self, rnd: dict[str, Any]) -> dict[str, Any]:
        import requests
        import urllib3

        own = rnd.get("url") is None
        url = f"{self.server}/paper/{int(rnd['paper_bytes'])}" if own else str(rnd["url"])
        if not own and url not in self.allowed_urls:  # the server cannot send the PCs anywhere else
            return _failed(self.server_time(), Text("this PC's profile does not name that URL (rehearsal.url or "
                                                    "bandwidth.url)", "本机配置文件未列出该地址（rehearsal.url 或 "
                                                    "bandwidth.url）"))
        cap = min(int(rnd["paper_bytes"]), self.max_bytes)
        if cap <= 0:
            return _failed(self.server_time(), Text("the round names no bytes to load", "本轮未指定要下载的字节数"))
        deadline = float(rnd["start_at"]) + min(float(rnd["deadline_s"]), MAX_DEADLINE_S)
        start = self.server_time()
        got = 0
        per_second: dict[int, int] = {}
        error: Text | None = None
        headers = {"Accept-Encoding": "identity"}  # bytes on the wire: a compressed answer would count more
        if url.startswith(self.server + "/"):
            headers.update(self.auth)  # the token goes to the site server only
        # The paper comes on a new connection, as at an exam's start (its connect is part of the time):
        # the kept-alive connection of the clock and the polls is closed first, so that its TCP state
        # does not shape the measurement and a PC holds one connection at a time (a room behind one
        # NAT address shares the server's per-address cap). Measured over a shaped link: on the old
        # connection the server's congestion control (BBR) paced the paper by a bandwidth learnt from
        # small answers that passed the shaper's burst at line rate: ~5x the retransmissions, uneven
        # shares, a slow tail; 20 seats read 0.94-0.98 of independent clients, 0.99-1.00 on new ones.
        self.session.close()
        try:
            # no redirect is followed: a paper that moves elsewhere would go round the URL guard above
            with self.session.get(url, stream=True, timeout=self.timeout_s, headers=headers, allow_redirects=False) as r:
                if r.is_redirect:
                    raise requests.TooManyRedirects(f"the paper redirects to {r.headers.get('Location', '?')[:200]}")
                r.raise_for_status()
                while True:
                    # read1: what has arrived, so that a trickling server meets the deadline check
                    chunk = r.raw.read1(min(65536, cap - got), decode_content=False)
                    now = self.server_time()
                    if not chunk:
                        break
                    got += len(chunk)
                    per_second[int(now - start)] = per_second.get(int(now - start), 0) + len(chunk)
                    if got >= cap:
                        break
                    if now > deadline or self.stop.is_set():
                        error = (Text("gave up at the round's deadline", "已到本轮截止时间，放弃下载")
                                 if now > deadline else Text("stopped", "已停止"))
                        break
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            from readiness.pc.net.errors import failure

            why = failure(exc).reason  # one describer: the English and the Chinese say the same thing
            error = Text(f"the download failed: {why.en}", f"下载失败：{why.zh}")
        finish = self.server_time()
        if error is None and got < cap:
            error = Text(f"the object ended after {got} of {cap} bytes", f"下载对象在 {got} / {cap} 字节处结束")
        samples = [round(per_second.get(i, 0) * 8 / 1e6, 2) for i in range(int(finish - start) + 1)]
        return {"start": start, "finish": None if error else finish, "bytes": got, "samples_mbps": samples,
                "error": error.en if error else None, "error_text": error.to_dict() if error else None}

    def run(self, rounds: int | None = None) -> int:
        """Wait for rounds and take part; returns after `rounds` rounds (None: until stopped)."""
        taken = failures = 0
        while not self.stop.is_set() and (rounds is None or taken < rounds):
            try:
                if self.offset is None:
                    self.sync()
                rnd = self.poll()
                if rnd is None or int(rnd["id"]) in self.done:
                    self.stop.wait(POLL_S)
                    continue
                self.sync()  # fresh, just before the moment
                rid, left = rnd["id"], float(rnd["start_at"]) - self.server_time()
                problem = _not_a_round(rnd, left)
                if problem is not None:  # a hostile or broken server: never wait forever, never spin
                    self.done.add(int(rnd["id"]))
                    self.say(Text(f"round {rid} ignored: {problem.en}", f"忽略第 {rid} 轮：{problem.zh}"))
                    continue
                self.say(Text(f"round {rid}: starting in {left:.1f} s", f"第 {rid} 轮：{left:.1f} 秒后开始"))
                if not self.wait_until(float(rnd["start_at"])):
                    break
                result = self.download(rnd)
                self.done.add(int(rnd["id"]))
                self.report(int(rnd["id"]), result)
                taken += 1
                got = result["bytes"]
                if result["finish"]:
                    took = result["finish"] - float(rnd["start_at"])
                    self.say(Text(f"round {rid}: {got} bytes, done in {took:.1f} s",
                                  f"第 {rid} 轮：{got} 字节，用时 {took:.1f} 秒"))
                else:
                    why = Text.from_json(result["error_text"])
                    self.say(Text(f"round {rid}: {got} bytes, failed: {why.en}", f"第 {rid} 轮：{got} 字节，失败：{why.zh}"))
                failures = 0
            except RateLimited as exc:  # keep the clock offset: the server is there, only busy
                self.say(Text(f"the server answered 429 (too many requests from this address): waiting "
                              f"{exc.retry_after_s:g} s; PCs behind one address share server.rate_per_minute",
                              f"服务器返回 429（此地址请求过多）：等待 {exc.retry_after_s:g} 秒；"
                              "同一地址后的考试机共用 server.rate_per_minute"))
                self.stop.wait(exc.retry_after_s)
            except Refused:
                raise  # waiting will not change a refused setting: the caller says it and stops
            except Exception as exc:  # the server went away, or answered nonsense: back to waiting
                wait = BACKOFF_S[min(failures, len(BACKOFF_S) - 1)]
                failures += 1
                refused = self.trust.refusal(exc)  # its certificate: nothing was sent, the token never left
                if refused is not None:
                    self.say(Text(f"{refused.en}; trying again in {wait:g} s", f"{refused.zh}；{wait:g} 秒后重试"))
                else:
                    from readiness.pc.net.errors import failure

                    why = failure(exc).reason  # the one describer: the kind of failure, in both languages
                    self.say(Text(f"waiting for the server ({why.en}); trying again in {wait:g} s",
                                  f"正在等待服务器（{why.zh}）；{wait:g} 秒后重试"))
                self.offset = None
                self.stop.wait(wait)
        return taken


def _not_a_round(rnd: dict[str, Any], left: float) -> Text | None:
    """Why an announced round cannot be one: a start that is not a number or further off than any
    lead the server may set, a deadline that is not a positive number."""
    import math

    deadline = rnd.get("deadline_s")
    if not math.isfinite(left):
        return Text("its start is not a time", "开始时间不是有效时间")
    if left > MAX_LEAD_S:
        return Text(f"it would start in {left:.0f} s, beyond any lead ({MAX_LEAD_S:.0f} s)",
                    f"{left:.0f} 秒后才开始，超过允许的提前量（{MAX_LEAD_S:.0f} 秒）")
    if not isinstance(deadline, (int, float)) or isinstance(deadline, bool) or not math.isfinite(deadline) \
            or deadline <= 0:
        return Text("its deadline is not a positive number of seconds", "截止时间不是有效的秒数")
    return None


def _failed(start: float, why: Text) -> dict[str, Any]:
    """A result that loaded nothing, and why."""
    return {"start": start, "finish": None, "bytes": 0, "samples_mbps": [], "error": why.en,
            "error_text": why.to_dict()}
