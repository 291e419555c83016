"""Downlink measurement.

The http backend reads a large file over several parallel streams, counting bytes and nothing
else, for a fixed window after a discarded warm-up (TCP slow start would drag the mean down).
The figure judged is the mean goodput over the window. speedtest-cli is the fallback for the
open internet; it is known to under-report above a few hundred Mbit/s.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
import uuid
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

from readiness.core.i18n import Text
from readiness.pc.net.errors import EMPTY, ENDED, HTML_PAGE, NetFailure, classify, failure, http_status, raw_text

CHUNK = 256 * 1024
SAMPLE_S = 0.25
MIN_MEASURED_BYTES = 256 * 1024
SPEEDTEST_NOTE = Text("speedtest-cli is known to under-report above a few hundred Mbit/s",
                      "speedtest-cli 在数百 Mbit/s 以上时测得的数值通常偏低")

Progress = Callable[[float, float], None]  # (elapsed share 0..1, current Mbit/s)


class MeasureError(NetFailure):
    """No measurement possible: why, in both languages, with the raw text (str(exc)) beside it."""


def cache_busted(url: str) -> str:
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + f"readiness={uuid.uuid4().hex}"
    return urlunsplit(parts._replace(query=query))


def sample_stats(samples_mbps: list[float]) -> dict[str, float | None]:
    if not samples_mbps:
        return {"median_mbps": None, "p90_mbps": None}
    ordered = sorted(samples_mbps)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"median_mbps": round(statistics.median(ordered), 2), "p90_mbps": round(p90, 2)}


class _Stream(threading.Thread):
    """One connection, re-requested whenever the file ends, counting bytes until stopped."""

    def __init__(self, session: Any, url: str, timeout: tuple[float, float], stop: threading.Event,
                 verify: bool | str) -> None:
        super().__init__(daemon=True)
        self.session, self.url, self.timeout, self.stop, self.verify = session, url, timeout, stop, verify
        self.bytes = 0
        self.error: NetFailure | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._one_request()
        except Exception as exc:  # the first failure ends this stream; the reason is kept
            if not self.stop.is_set():
                self.error = failure(exc)

    def _one_request(self) -> None:
        headers = {"Accept-Encoding": "identity", "Cache-Control": "no-cache"}
        with self.session.get(cache_busted(self.url), headers=headers, stream=True, timeout=self.timeout,
                              verify=self.verify) as resp:
            if resp.status_code != 200:
                raise MeasureError(http_status(resp.status_code),
                                   f"the server answered HTTP {resp.status_code} {resp.reason or ''}".strip())
            ctype = resp.headers.get("Content-Type", "").lower()
            if ctype.startswith("text/html"):
                raise MeasureError(HTML_PAGE, "the server answered an HTML page, not a file (a login page or an error page?)")
            expected = resp.headers.get("Content-Length")
            got = 0
            read1 = resp.raw.read1  # returns what has arrived (up to CHUNK): counts stay current
            while True:
                chunk = read1(CHUNK, decode_content=False)
                if not chunk:
                    break
                self.bytes += len(chunk)
                got += len(chunk)
                if self.stop.is_set():
                    return
            if expected is not None and expected.isdigit() and got < int(expected):
                raise MeasureError(ENDED, f"the body ended early ({got} of {expected} bytes)")
            if got == 0:
                raise MeasureError(EMPTY)


def measure_http(url: str, *, streams: int = 4, duration_s: float = 10.0, warmup_s: float = 2.0,
                 max_bytes: int = 4 * 2**30, connect_timeout_s: float = 5.0, read_timeout_s: float = 5.0,
                 verify: bool | str = True, progress: Progress | None = None,
                 deadline: float | None = None) -> dict[str, Any]:
    """Mean goodput over [warm-up, warm-up + window]; raises MeasureError when nothing useful came."""
    import requests

    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= warmup_s + 1:
            raise MeasureError(Text("no time left before the network deadline", "已到网络检查时限，未能测量"))
        duration_s = min(duration_s, left - warmup_s)
    session = requests.Session()
    session.max_redirects = 5
    session.trust_env = True
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=streams)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    stop = threading.Event()
    workers = [_Stream(session, url, (connect_timeout_s, read_timeout_s), stop, verify) for _ in range(streams)]
    cpu0, t0 = time.process_time(), time.monotonic()
    for w in workers:
        w.start()
    samples: list[float] = []
    start_bytes: int | None = None
    start_t = t0 + warmup_s
    end_t = start_t + duration_s
    last_b, last_t = 0, t0
    capped = False
    try:
        while True:
            time.sleep(SAMPLE_S)
            now = time.monotonic()
            total = sum(w.bytes for w in workers)
            rate = (total - last_b) * 8 / (now - last_t) / 1e6
            if start_bytes is None and now >= start_t:
                start_bytes, start_t = total, now
            elif start_bytes is not None:
                samples.append(round(rate, 3))
            last_b, last_t = total, now
            if progress:
                progress(min(1.0, (now - t0) / (end_t - t0)), rate)
            alive = [w for w in workers if w.is_alive()]
            if now >= end_t or not alive:
                break
            if start_bytes is not None and total >= max_bytes:  # the window always gets a start
                capped = True
                break
    finally:
        stop.set()
        end_total = sum(w.bytes for w in workers)
        end_now = time.monotonic()
        cpu = time.process_time() - cpu0
        session.close()
    failures = sorted({w.error.raw: w.error for w in workers if w.error}.items())
    errors = [raw for raw, _ in failures]
    first = MeasureError(failures[0][1].reason, failures[0][0]) if failures else None
    if start_bytes is None or end_now - start_t <= 0:
        raise first or MeasureError(Text("the transfer ended during the warm-up", "传输在预热阶段就中断了"))
    measured = end_total - start_bytes
    window = end_now - start_t
    full_window = window >= duration_s * 0.9 and not errors
    if measured < MIN_MEASURED_BYTES and not full_window:
        raise first or MeasureError(Text(
            f"the server sent only {measured} bytes in {window:.0f} s after the warm-up: too little to measure",
            f"预热后 {window:.0f} 秒内服务器只发送了 {measured} 字节：数据太少，无法测量"))
    wall = end_now - t0
    mbps = measured * 8 / window / 1e6
    result: dict[str, Any] = {
        "backend": "http", "url": url, "server": urlsplit(url).hostname, "streams": streams,
        "window_s": round(window, 2), "warmup_s": warmup_s, "bytes": end_total, "measured_bytes": measured,
        "capped": capped, "samples_mbps": samples, "download_mbps": round(mbps, 2) if mbps >= 1 else round(mbps, 5),
        "cpu_share": round(cpu / wall / (os.cpu_count() or 1), 3), "cpu_core_share": round(cpu / wall, 3),
        "errors": errors, "note": None,
    }
    result.update(sample_stats(samples))
    if measured < MIN_MEASURED_BYTES:  # a whole window with almost nothing: a link that slow fails, it is measured
        result["note"] = Text(f"only {measured} bytes arrived in the {window:.1f} s window: a very slow link",
                              f"{window:.1f} 秒的测量窗口内只收到 {measured} 字节：链路非常慢").to_dict()
    elif result["cpu_core_share"] > 0.9:
        result["note"] = Text("the measuring process was CPU-bound: the figure is only a lower bound",
                              "测量进程受 CPU 限制：测得的数值只是下限").to_dict()

    return result


def import_speedtest() -> Any:
    """speedtest-cli, imported so that it cannot close our stdout.

    At import it wraps file descriptors 1 and 2 in FileIO objects that close them when collected
    (at exit, before our last output is flushed); given streams without a descriptor it keeps
    them instead, and we never use its printing.
    """
    import io
    import sys

    if "speedtest" in sys.modules:
        return sys.modules["speedtest"]
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        import speedtest
    finally:
        sys.stdout, sys.stderr = saved
    return speedtest


def speedtest_config_reason(exc: BaseException) -> Text:
    """Why speedtest.net's configuration could not be fetched, in both languages: a blocked service (HTTP 403) is said so,
    any other failure is classified like every network error."""
    raw = " ".join(str(x) for x in (exc, getattr(exc, "__cause__", None), getattr(exc, "__context__", None)) if x)
    if "403" in raw:
        return Text("speedtest.net refused its configuration (HTTP 403): it is often blocked",
                    "speedtest.net 拒绝提供配置（HTTP 403）：该服务常被屏蔽")
    kind = classify(exc)
    return Text(f"speedtest.net: {kind.en}", f"speedtest.net：{kind.zh}")


def measure_speedtest(*, streams: int = 4, timeout_s: float = 10.0, module: Any = None,
                      deadline: float | None = None) -> dict[str, Any]:
    """speedtest-cli over HTTPS; its failures become a MeasureError with a clear reason.

    It runs in a thread so the run's deadline holds even when speedtest.net is slow: at the
    deadline its shutdown event stops the download and the measurement is abandoned.
    """
    if module is None:
        module = import_speedtest()
    stop = threading.Event()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            st = module.Speedtest(secure=True, timeout=timeout_s, shutdown_event=stop)
            outcome["server"] = st.get_best_server()
            outcome["bps"] = st.download(threads=streams)
            outcome["bytes"] = int(getattr(st.results, "bytes_received", 0) or 0)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    t0, cpu0 = time.monotonic(), time.process_time()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        stop.set()
        raise MeasureError(Text("speedtest did not finish before the network deadline", "speedtest 未能在网络检查时限内完成"))
    exc = outcome.get("error")
    if isinstance(exc, module.ConfigRetrievalError):
        raise MeasureError(speedtest_config_reason(exc), raw_text(exc))
    if isinstance(exc, (module.NoMatchedServers, module.ServersRetrievalError, module.SpeedtestBestServerFailure)):
        raw = f"{type(exc).__name__}: {exc}"
        raise MeasureError(Text(f"no speedtest server could be used ({raw})", f"没有可用的 speedtest 服务器（{raw}）"))
    if isinstance(exc, OSError):
        raise MeasureError(classify(exc), raw_text(exc))
    if exc is not None:
        raw = f"{type(exc).__name__}: {exc}"
        raise MeasureError(Text(f"speedtest failed ({raw})", f"speedtest 测速失败（{raw}）"))
    wall = time.monotonic() - t0
    cpu = time.process_time() - cpu0
    server = outcome.get("server")
    host = server.get("host") if isinstance(server, dict) else None
    return {"backend": "speedtest", "url": None, "server": host, "streams": streams, "window_s": round(wall, 2),
            "warmup_s": 0, "bytes": outcome.get("bytes", 0), "measured_bytes": None,
            "capped": False, "samples_mbps": [], "download_mbps": round(outcome["bps"] / 1e6, 2), "median_mbps": None,
            "p90_mbps": None, "cpu_share": round(cpu / wall / (os.cpu_count() or 1), 3),
            "cpu_core_share": round(cpu / wall, 3), "errors": [], "note": SPEEDTEST_NOTE.to_dict()}
