"""The exam system must be reachable from each PC: DNS, TCP, TLS (verified) and HTTP."""

from __future__ import annotations

from readiness.api import FactUnavailable, Facts, Finding, Profile, Setting, Status, Text, check, field, former, same

STEPS = {"dns": Text("name lookup (DNS)", "域名解析（DNS）"), "connect": Text("TCP connect", "TCP 连接"),
         "tls": Text("TLS handshake", "TLS 握手"), "http": Text("HTTP request", "HTTP 请求"),
         "deadline": Text("network deadline", "网络检查时限")}


def total_ms(e: dict) -> float:
    return sum(e.get(k) or 0 for k in ("dns_ms", "connect_ms", "tls_ms", "http_ms"))


@check("exam-server", title=Text("Exam server reachable", "考试服务器连通"), order=90, since="0.1.0", settings=(
    Setting("network.slow_ms", 2000.0, Text("Above this total time an endpoint is slow, ms.",
                                            "单个地址总耗时超过此值视为缓慢（毫秒）。"), "float", minimum=1, maximum=600000),
))
def check_exam_server(facts: Facts, profile: Profile) -> Finding:
    raw = facts.require("network.endpoints", list)
    if not raw:
        raise FactUnavailable("network.endpoints", Text("no endpoint was probed", "未测试任何地址"))
    endpoints = []
    for i, e in enumerate(raw):
        where = f"network.endpoints[{i}]"
        field(e, "url", str, where, required=True)
        field(e, "ok", bool, where, required=True)
        endpoints.append(e)
    expected = Text("every endpoint answers", "所有地址均可访问")
    failed = [e for e in endpoints if not e["ok"] and e.get("failed_step") != "deadline"]
    untried = [e["url"] for e in endpoints if not e["ok"] and e.get("failed_step") == "deadline"]
    if untried and not failed:  # a check that did not run never fails: it could not decide
        raise FactUnavailable("network.endpoints", Text(
            f"{', '.join(untried)} not tried: no time was left before the network deadline (raise network.deadline_s)",
            f"{'、'.join(untried)} 未测试：已到网络检查时限（请增大 network.deadline_s）"))
    proxy = next((e.get("proxy") for e in endpoints if e.get("proxy")), None)
    via = Text(f" (via proxy {proxy})", f"（经代理 {proxy}）") if proxy else Text("", "")
    if failed:
        e = failed[0]
        step = STEPS.get(e.get("failed_step") or "", same(str(e.get("failed_step"))))
        raw = str(e.get("error"))
        # what it means, classified where it was caught; an older snapshot has only the raw text
        what = Text.from_json(e["reason"]) if isinstance(e.get("reason"), (str, dict)) else former(raw)
        return Finding(Status.FAIL, Text(f"{e['url']}: {what.en}", f"{e['url']}：{what.zh}") + via, expected,
                       Text(f"{e['url']} failed at the {step.en}: {what.en}.",
                            f"{e['url']} 在{step.zh}这一步失败：{what.zh}。"),
                       Text("Give the failing step and address to the site's network administrator (firewall, "
                            "DNS, proxy, or a gateway that replaces certificates); check the PC's date and time for "
                            "TLS errors.", "请将失败的步骤和地址告知考点网络管理员（防火墙、DNS、代理或替换证书的网关）；"
                            "TLS 错误时请检查本机日期和时间。"),
                       {"failed": [x["url"] for x in failed], "error": raw})
    slowest = max(endpoints, key=total_ms)
    observed = same(", ".join(f"{e['url']} {e.get('status')} {total_ms(e):.0f} ms" for e in endpoints)) + via
    limit = profile["network.slow_ms"]
    if total_ms(slowest) > limit:
        return Finding(Status.WARN, observed, expected + Text(f", each within {limit:.0f} ms", f"，每个 {limit:.0f} 毫秒内"),
                       Text(f"{slowest['url']} took {total_ms(slowest):.0f} ms.", f"{slowest['url']} 耗时 {total_ms(slowest):.0f} 毫秒。"),
                       Text("Check the site's network before the exam; a slow link delays every candidate's login.",
                            "请在考前检查考点网络，链路缓慢会延误所有考生登录。"))
    return Finding(Status.PASS, observed, expected, Text("The exam server answers.", "考试服务器可以访问。"))
