"""The site's egress IP must be registered: otherwise every PC sees "请在考场范围内进行考试"."""

from __future__ import annotations

from readiness.api import FactUnavailable, Facts, Finding, Profile, Status, Text, check, rules, same

REMEDY = Text("Register every public IP of the site in the exam system: 考点维护 → 考点信息变动 → 登记考点公网 IP "
              "(all of them when the site has several lines), then add them to site.public_ips in the profile.",
              "请在考试系统“考点维护 → 考点信息变动 → 登记考点公网 IP”中登记考点全部公网 IP（有多个出口须全部填写），"
              "并写入考点配置的 site.public_ips。")


@check("public-ip", title=Text("Registered public IP", "考点公网 IP 登记"), order=80, since="0.1.0")
def check_public_ip(facts: Facts, profile: Profile) -> Finding:
    ips = facts.get("network.public_ip.ips", list)
    if not ips:
        raise FactUnavailable("network.public_ip", facts.reason("network.public_ip.ips"))
    registered = rules.registered_set(profile["site.public_ips"])
    seen = [rules.normalize_ip(str(ip)) for ip in ips]
    observed = same(", ".join(seen))
    expected = same(", ".join(sorted(registered)) or "-")
    if not registered:
        return Finding(Status.WARN, observed, Text("site.public_ips in the profile", "考点配置中的 site.public_ips"),
                       Text(f"The profile lists no registered IP, so {', '.join(seen)} cannot be checked.",
                            f"考点配置未列出已登记的公网 IP，无法核对 {', '.join(seen)}。"), REMEDY)
    unlisted = rules.unregistered_ips(seen, profile["site.public_ips"])
    if unlisted:
        return Finding(Status.FAIL, observed, expected,
                       Text(f"{', '.join(unlisted)} is not registered: candidates will see \"please take the exam "
                            "within the exam site\" (请在考场范围内进行考试).",
                            f"{', '.join(unlisted)} 未登记：考生登录时将提示“请在考场范围内进行考试”。"),
                       REMEDY, {"unregistered": unlisted})
    return Finding(Status.PASS, observed, expected, Text("The egress IP is registered.", "公网 IP 已登记。"))
