"""The server's pages: self-contained (no CDN, works without the internet), Chinese and English.

Server-rendered pages escape every value (html.escape); the dashboard and the phone page fill
themselves from JSON with DOM text nodes only (never innerHTML), and the Content-Security-Policy
forbids inline scripts: a host name such as <img src=x onerror=...> is shown as text.
"""

from __future__ import annotations

import io
import json
from html import escape
from typing import Any

from readiness.aggregate.machines import Rejudge, Machine
from readiness.i18n import Text
from readiness.model import STATUS_LABELS, Status
from readiness.serve.store import StoredReport

CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:16px;color:#212121;background:#fafafa}
h1{font-size:20px;margin:0 0 6px}h2{font-size:17px;margin:22px 0 6px;border-bottom:2px solid #ccc}h3{font-size:15px;margin:14px 0 4px}
a{color:#1565c0}.meta{color:#555;font-size:13px}.bar{display:flex;gap:14px;align-items:center;flex-wrap:wrap}
.verdict{font-size:20px;font-weight:bold;color:#fff;padding:10px 14px;margin:8px 0;border-radius:4px}
.pass{background:#2e7d32}.warn{background:#f9a825}.fail{background:#c62828}.error{background:#757575}.skip{background:#90a4ae}
.missing{background:#eee;color:#616161;border:1px dashed #9e9e9e}
.stats span{display:inline-block;margin-right:16px}
.grid{display:flex;flex-wrap:wrap;gap:4px;margin:8px 0}
.seat{display:block;width:96px;min-height:44px;border-radius:3px;color:#fff;font-size:12px;padding:3px;box-sizing:border-box;overflow:hidden;word-break:break-all;text-decoration:none}
.seat small{display:block;font-size:10px;opacity:.85}.seat.clone{outline:3px solid #6a1b9a}
.finding{margin:3px 0}.badge{display:inline-block;color:#fff;padding:0 6px;border-radius:3px;font-size:12px;margin-right:6px}
table{border-collapse:collapse;margin:6px 0;font-size:13px;background:#fff}th,td{border:1px solid #bbb;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f0f0f0}pre{background:#fff;border:1px solid #ccc;padding:8px;overflow:auto;font-size:12px;max-height:600px}
.qr{float:right;text-align:center;font-size:12px;margin:0 0 8px 12px}.qr img{width:160px;height:160px;background:#fff}#sites{clear:both}
.conn{font-size:12px;color:#555}form.phone label{display:block;margin:10px 0 2px}form.phone input{font-size:18px;width:100%;box-sizing:border-box;padding:6px}
button{font-size:18px;padding:8px 18px;margin-top:14px}.result{margin:8px 0;padding:6px;background:#fff;border-left:6px solid #ccc}
.result.pass{border-color:#2e7d32;background:#fff}.result.fail{border-color:#c62828;background:#fff}.result.error{border-color:#757575;background:#fff}
.result.warn{border-color:#f9a825;background:#fff}.result.skip{border-color:#90a4ae;background:#fff}.result{color:#212121}
"""

DASHBOARD_JS = r"""
"use strict";
const LANG = document.documentElement.lang === "en" ? "en" : "zh";
const T = {
  zh: {reports: "报告", seats: "机位", ready: "就绪", warned: "警告", notready: "未就绪", undetermined: "无法判断",
       missing: "未提交", phones: "监考手机", room: "考场", name: "姓名", device: "设备", app: "App 版本",
       verdict: "结论", reasons: "原因", received: "时间", nosite: "尚无报告。请在考试机上运行 readiness check --submit。",
       live: "实时", offline: "与服务器的连接中断，正在重试…", rejected: "被拒绝的报告", clone: "机器标识重复",
       lastseen: "最近", noroom: "（未填考场）", nophones: "尚无手机提交。",
       rehearsal: "开考演练", waiting: "等待中的机位", start: "开始一轮演练",
       confirm: "所有等待中的机位将在几秒后同时下载一份试卷大小的文件。开始？", round: "第", roundof: "轮",
       state: "状态", joined: "参加", finished: "完成", failed: "失败", unfinished: "未完成", late: "迟到（未计入）",
       times: "完成用时 p50 / p95 / 最长", plan: "预案", throughput: "总吞吐量", slowest: "最慢的机位",
       seat: "机位", finish: "完成（秒）", rate: "速率", norounds: "尚未演练。请在各考试机上运行 readiness rehearse。",
       advice: "建议在考试当天的同一时段演练三轮。", stop: "停止本轮"},
  en: {reports: "Reports", seats: "seats", ready: "ready", warned: "warned", notready: "not ready", undetermined: "undetermined",
       missing: "missing", phones: "Invigilators' phones", room: "Room", name: "Name", device: "Device", app: "App version",
       verdict: "Verdict", reasons: "Reasons", received: "Time", nosite: "No report yet. Run readiness check --submit on the exam PCs.",
       live: "live", offline: "Connection to the server lost, retrying…", rejected: "Rejected reports", clone: "shared machine id",
       lastseen: "seen", noroom: "(no room given)", nophones: "No phone checked yet.",
       rehearsal: "Exam-start rehearsal", waiting: "Seats waiting", start: "Start a round",
       confirm: "Every waiting seat will download a paper-sized file at the same moment, a few seconds from now. Start?",
       round: "Round", roundof: "", state: "State", joined: "joined", finished: "finished", failed: "failed",
       unfinished: "not finished", late: "late (left out)", times: "completion p50 / p95 / max", plan: "plan",
       throughput: "aggregate throughput", slowest: "slowest seats", seat: "Seat", finish: "finish (s)", rate: "rate",
       norounds: "No round yet. Run readiness rehearse on the exam PCs.",
       advice: "Run three rounds at the time of day of the exam.", stop: "Stop this round"}
};
function t(k) { return T[LANG][k] || k; }
function txt(o) { return (o && typeof o === "object") ? (o[LANG] || o.en || "") : String(o == null ? "" : o); }
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = String(text);
  return e;
}
function clock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleTimeString(LANG === "zh" ? "zh-CN" : "en-GB", {hour12: false});
}
let version = 0;
let labels = {};
function badge(status) {
  return el("span", "badge " + status, txt(labels[status] || status));
}
function renderSite(s) {
  const box = el("section", "site");
  box.dataset.site = s.id;
  box.appendChild(el("h2", null, [s.id, s.name].filter(Boolean).join(" ") || "—"));
  const v = el("div", "verdict " + s.status, txt(s.verdict));
  v.dataset.status = s.status;
  box.appendChild(v);
  const stats = el("div", "stats");
  const c = s.counts;
  for (const [k, n] of [["reports", s.reports + " / " + s.seats_expected], ["ready", c.pass], ["warned", c.warn],
                        ["notready", c.fail], ["undetermined", c.error], ["missing", s.missing]]) {
    const sp = el("span", null, t(k) + ": ");
    sp.appendChild(el("b", null, n));
    stats.appendChild(sp);
  }
  box.appendChild(stats);
  for (const f of s.findings) {
    const d = el("div", "finding");
    d.appendChild(badge(f.status));
    d.appendChild(document.createTextNode(txt(f.message)));
    box.appendChild(d);
  }
  const grid = el("div", "grid");
  for (const m of s.seats) {
    const a = el("a", "seat " + m.status + (m.clone ? " clone" : ""));
    a.href = "/machine/" + encodeURIComponent(m.id);
    a.dataset.host = m.hostname;
    a.dataset.status = m.status;
    a.title = m.hostname + (m.problems.length ? " — " + m.problems.join(", ") : "") + (m.clone ? " — " + t("clone") : "");
    a.appendChild(el("span", "host", m.hostname));
    a.appendChild(el("small", null, t("lastseen") + " " + clock(m.last_seen)));
    grid.appendChild(a);
  }
  for (let i = 0; i < Math.min(s.missing, 1000); i++) grid.appendChild(el("div", "seat missing"));
  box.appendChild(grid);
  return box;
}
function renderPhones(phones) {
  const box = el("section", "phones");
  box.appendChild(el("h2", null, t("phones")));
  if (!phones.length) { box.appendChild(el("p", "meta", t("nophones"))); return box; }
  const rooms = new Map();
  for (const p of phones) {
    const r = p.room || t("noroom");
    if (!rooms.has(r)) rooms.set(r, []);
    rooms.get(r).push(p);
  }
  for (const [room, list] of [...rooms.entries()].sort()) {
    box.appendChild(el("h3", null, t("room") + " " + room));
    const table = el("table");
    const head = el("tr");
    for (const h of ["name", "device", "app", "verdict", "reasons", "received"]) head.appendChild(el("th", null, t(h)));
    table.appendChild(head);
    for (const p of list) {
      const tr = el("tr");
      tr.dataset.status = p.status;
      tr.appendChild(el("td", null, p.name));
      tr.appendChild(el("td", null, [p.device.model || p.device.kind, p.device.os_version].filter(Boolean).join(" ")));
      tr.appendChild(el("td", null, p.app_version));
      const st = el("td");
      st.appendChild(badge(p.status));
      tr.appendChild(st);
      const why = el("td");
      for (const r of p.results) {
        if (r.status === "pass" || r.status === "skip") continue;
        why.appendChild(el("div", null, txt(r.observed) + (r.remedy ? " → " + txt(r.remedy) : "")));
      }
      tr.appendChild(why);
      tr.appendChild(el("td", null, clock(p.received_at)));
      table.appendChild(tr);
    }
    box.appendChild(table);
  }
  return box;
}
function secs(v) { return v == null ? "—" : Number(v).toFixed(1) + " s"; }
function renderRehearsal(reh) {
  const box = el("section", "rehearsal");
  box.appendChild(el("h2", null, t("rehearsal")));
  const bar = el("div", "bar");
  bar.appendChild(el("span", null, t("waiting") + ": " + reh.waiting));
  const button = el("button", null, t("start"));
  button.id = "start-round";
  button.addEventListener("click", async () => {
    if (!confirm(t("confirm"))) return;
    const r = await fetch("/api/rehearsals", {method: "POST", credentials: "same-origin",
      headers: {"X-Readiness": "1", "Content-Type": "application/json"}, body: "{}"});
    if (!r.ok) {
      let why = "";
      try { why = (await r.json()).error || ""; } catch (e) { /* not JSON: the status says enough */ }
      alert("HTTP " + r.status + (why ? ": " + why : ""));
    }
    version = "";
  });
  bar.appendChild(button);
  bar.appendChild(el("span", "meta", t("advice")));
  box.appendChild(bar);
  const x = reh.latest;
  if (!x) { box.appendChild(el("p", "meta", t("norounds"))); return box; }
  const ok = x.max_s != null && x.max_s <= x.plan_s && !x.failed && !x.unfinished.length;
  const v = el("div", "verdict " + (x.state === "done" ? (ok ? "pass" : "fail") : "skip"),
               t("round") + " " + x.id + " " + t("roundof") + " · " + t("state") + ": " + x.state);
  v.id = "round";
  v.dataset.state = x.state;
  v.dataset.finished = x.finished;
  box.appendChild(v);
  if (x.state === "scheduled" || x.state === "running") {
    const stop = el("button", null, t("stop"));
    stop.id = "stop-round";
    stop.addEventListener("click", async () => {
      const r = await fetch("/api/rehearsals/" + encodeURIComponent(x.id) + "/stop", {method: "POST",
        credentials: "same-origin", headers: {"X-Readiness": "1"}});
      if (!r.ok) alert("HTTP " + r.status);
      version = "";
    });
    box.appendChild(stop);
  }
  const stats = el("div", "stats");
  for (const [k, val] of [["joined", x.joined], ["finished", x.finished], ["failed", x.failed],
                          ["times", secs(x.p50_s) + " / " + secs(x.p95_s) + " / " + secs(x.max_s) + " (" + t("plan") + " " + x.plan_s + " s)"],
                          ["throughput", x.throughput_mbps == null ? "—" : x.throughput_mbps + " Mbit/s"]]) {
    const sp = el("span", null, t(k) + ": ");
    sp.appendChild(el("b", null, val));
    stats.appendChild(sp);
  }
  box.appendChild(stats);
  for (const [k, list] of [["slowest", x.slowest], ["unfinished", x.unfinished], ["late", x.late]]) {
    if (!list.length) continue;
    const line = el("p", "names " + k, t(k) + ": ");
    list.forEach((name, i) => {  // each name isolated: a direction mark in one cannot reorder the others
      if (i) line.appendChild(document.createTextNode(", "));
      line.appendChild(el("bdi", null, name));
    });
    box.appendChild(line);
  }
  const table = el("table");
  const head = el("tr");
  for (const h of ["seat", "state", "finish", "rate"]) head.appendChild(el("th", null, t(h)));
  table.appendChild(head);
  for (const seat of x.seats) {
    const tr = el("tr");
    tr.dataset.status = seat.status;
    tr.appendChild(el("td", null, seat.hostname));
    tr.appendChild(el("td", null, seat.status + (seat.error ? ": " + seat.error : "")));
    tr.appendChild(el("td", null, seat.finish_s == null ? "—" : seat.finish_s.toFixed(1)));
    tr.appendChild(el("td", null, seat.mbps == null ? "—" : seat.mbps + " Mbit/s"));
    table.appendChild(tr);
  }
  box.appendChild(table);
  return box;
}
function render(s) {
  labels = s.labels;
  const root = document.getElementById("sites");
  root.replaceChildren();
  if (!s.sites.length) root.appendChild(el("p", "meta", t("nosite")));
  for (const site of s.sites) root.appendChild(renderSite(site));
  if (s.rejected.count) {
    root.appendChild(el("h3", null, t("rejected") + ": " + s.rejected.count));
    const ul = el("ul");
    for (const r of s.rejected.items) ul.appendChild(el("li", null, r.path + ": " + r.reason));
    root.appendChild(ul);
  }
  root.appendChild(renderPhones(s.phones));
  if (s.rehearsal) root.appendChild(renderRehearsal(s.rehearsal));
  document.body.dataset.version = s.version;
}
async function poll() {
  const conn = document.getElementById("conn");
  try {
    const r = await fetch("/api/state?v=" + version, {cache: "no-store", credentials: "same-origin"});
    if (r.status === 401) { location.href = "/"; return; }
    if (r.ok) {
      const s = await r.json();
      if (!s.unchanged) { version = s.version; render(s); }
      conn.textContent = t("live") + " " + clock(new Date().toISOString());
    } else {
      conn.textContent = "HTTP " + r.status;
    }
  } catch (e) {
    conn.textContent = t("offline");
  }
  setTimeout(poll, 1500);
}
poll();
"""

PHONE_JS = r"""
"use strict";
const LANG = document.documentElement.lang === "en" ? "en" : "zh";
const OTHER = LANG === "zh" ? "en" : "zh";
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = String(text);
  return e;
}
async function facts() {
  const n = navigator;
  const d = {schema: "readiness.phone/1", user_agent: n.userAgent, ua_ch: null,
             device_memory: typeof n.deviceMemory === "number" ? n.deviceMemory : null,
             screen: {width: screen.width, height: screen.height},
             max_touch_points: typeof n.maxTouchPoints === "number" ? n.maxTouchPoints : null};
  const u = n.userAgentData;
  if (u) {
    const ch = {platform: u.platform || null, mobile: typeof u.mobile === "boolean" ? u.mobile : null,
                platformVersion: null, model: null, formFactors: null};
    try {
      const h = await u.getHighEntropyValues(["platformVersion", "model", "formFactors"]);
      ch.platformVersion = typeof h.platformVersion === "string" ? h.platformVersion : null;
      ch.model = typeof h.model === "string" ? h.model : null;
      ch.formFactors = Array.isArray(h.formFactors) ? h.formFactors : null;
    } catch (e) { /* the browser keeps them: the server says what it cannot tell */ }
    d.ua_ch = ch;
  }
  return d;
}
async function send(ev) {
  ev.preventDefault();
  const out = document.getElementById("out");
  out.replaceChildren(el("p", null, LANG === "zh" ? "正在提交…" : "Sending…"));
  const token = new URLSearchParams(location.search).get("t") || "";
  const d = await facts();
  d.app_version = document.getElementById("app").value;
  d.name = document.getElementById("name").value;
  d.room = document.getElementById("room").value;
  let r, body;
  try {
    r = await fetch("/api/phones", {method: "POST", headers: {"Content-Type": "application/json",
                    "Authorization": "Bearer " + token}, body: JSON.stringify(d)});
    body = await r.json();
  } catch (e) {
    out.replaceChildren(el("p", "result error", (LANG === "zh" ? "无法连接服务器：" : "Cannot reach the server: ") + e));
    return;
  }
  out.replaceChildren();
  if (!r.ok) {
    out.appendChild(el("p", "result error", "HTTP " + r.status + ": " + (body.error || "")));
    return;
  }
  const v = el("div", "verdict " + body.status, LABELS[body.status][LANG] + " " + LABELS[body.status][OTHER]);
  v.id = "verdict";
  v.dataset.status = body.status;
  out.appendChild(v);
  for (const res of body.results) {
    if (res.status === "skip") continue;
    const box = el("div", "result " + res.status);
    box.dataset.id = res.id;
    box.dataset.status = res.status;
    box.appendChild(el("b", null, LABELS[res.status][LANG] + " "));
    box.appendChild(document.createTextNode(res.observed[LANG]));
    box.appendChild(el("div", "meta", res.observed[OTHER]));
    if (res.remedy) {
      box.appendChild(el("div", null, "→ " + res.remedy[LANG]));
      box.appendChild(el("div", "meta", res.remedy[OTHER]));
    }
    out.appendChild(box);
  }
}
const LABELS = JSON.parse(document.getElementById("labels").textContent);
document.getElementById("form").addEventListener("submit", send);
"""

ASSETS: dict[str, tuple[str, str]] = {
    "style.css": (CSS, "text/css; charset=utf-8"),
    "dashboard.js": (DASHBOARD_JS, "text/javascript; charset=utf-8"),
    "phone.js": (PHONE_JS, "text/javascript; charset=utf-8"),
}

W = {
    "title": Text("Exam readiness — site dashboard", "考前就绪检查 — 考点看板"),
    "login": Text("Enter the manager's key (printed when the server started).", "请输入管理员密钥（服务器启动时显示）。"),
    "wrong": Text("That key is not right.", "密钥不正确。"),
    "open": Text("Open", "打开"),
    "downloads": Text("Download the site report", "下载考点汇总"),
    "phone_qr": Text("Invigilators: scan to check your phone", "监考人员：扫码检查手机"),
    "phone_title": Text("Check an invigilator's phone", "检查监考手机"),
    "phone_intro": Text("Open this page on the phone that will run the identity-check app. Type the app's version "
                        "from its About page, your name and room, and send.",
                        "请在将运行身份核验 App 的手机上打开本页，填写 App“关于”页中的版本号、姓名和考场后提交。"),
    "phone_link": Text("This link is not the phone link of this server: scan the QR code on the site manager's "
                       "dashboard again.", "此链接不是本服务器的手机检查链接：请重新扫描考点管理员看板上的二维码。"),
    "app": Text("App version (identity-check app → About)", "App 版本（身份核验 App → 关于）"),
    "name": Text("Your name", "姓名"), "room": Text("Room", "考场"), "send": Text("Check", "检查"),
    "rounds": Text("rehearsal rounds (JSON)", "演练记录（JSON）"),
    "machine": Text("Machine", "考试机"), "back": Text("Back to the dashboard", "返回看板"),
    "results": Text("Results", "检查结果"), "facts": Text("Facts", "采集信息"),
    "received": Text("Received", "接收时间"), "from": Text("from", "来自"),
    "superseded": Text("A newer report of this machine counts on the dashboard.", "看板以此机器更新的报告为准。"),
}


def _head(title: str, lang: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="/assets/style.css"></head><body>')


def _langs(lang: str, path: str = "/") -> str:
    other = "en" if lang == "zh" else "zh"
    return f'<a href="{path}?lang={other}">{"English" if other == "en" else "中文"}</a>'


def login(lang: str, wrong: bool = False) -> str:
    note = f'<p class="result fail">{escape(W["wrong"](lang))}</p>' if wrong else ""
    return (_head(W["title"](lang), lang) + f'<h1>{escape(W["title"](lang))}</h1>{note}'
            f'<form method="get" action="/"><p>{escape(W["login"](lang))}</p>'
            f'<input name="key" type="password" autocomplete="off" size="30"> <button>{escape(W["open"](lang))}</button>'
            f'<input type="hidden" name="lang" value="{lang}"></form><p>{_langs(lang)}</p></body></html>')


def dashboard(lang: str) -> str:
    links = " · ".join(f'<a href="/download/site.{f}">{f.upper()}</a>' for f in ("html", "csv", "xlsx", "json"))
    links += f' · <a href="/download/rehearsals.json">{escape(W["rounds"](lang))}</a>'
    return (_head(W["title"](lang), lang) +
            f'<div class="qr"><img src="/qr/phone.svg" alt="QR"><br>{escape(W["phone_qr"](lang))}</div>'
            f'<h1>{escape(W["title"](lang))}</h1>'
            f'<div class="bar"><span class="conn" id="conn"></span><span>{escape(W["downloads"](lang))}: {links}</span>'
            f'<span>{_langs(lang)}</span></div><div id="sites"></div>'
            '<script src="/assets/dashboard.js"></script></body></html>')


def phone(lang: str) -> str:
    labels = json.dumps({s.value: STATUS_LABELS[s].to_dict() for s in Status}, ensure_ascii=False).replace("<", "\\u003c")
    fields = "".join(f'<label for="{k}">{escape(W[k](lang))}</label><input id="{k}" name="{k}" autocomplete="off">'
                     for k in ("app", "name", "room"))
    return (_head(W["phone_title"](lang), lang) + f'<h1>{escape(W["phone_title"](lang))}</h1>'
            f'<p>{escape(W["phone_intro"](lang))}</p><form class="phone" id="form">{fields}'
            f'<button type="submit" id="send">{escape(W["send"](lang))}</button></form><div id="out"></div>'
            f'<script type="application/json" id="labels">{labels}</script>'
            '<script src="/assets/phone.js"></script></body></html>')


def phone_refused(lang: str) -> str:
    """The phone page opened without the phone token (a guessed address, an old or a PC's link)."""
    return (_head(W["phone_title"](lang), lang) + f'<h1>{escape(W["phone_title"](lang))}</h1>'
            f'<p class="result error">{escape(W["phone_link"](lang))}</p></body></html>')


def qr_svg(url: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue()


def _t(value: Any, lang: str) -> str:
    return escape(Text.from_json(value)(lang))


def machine(stored: StoredReport, judge: Rejudge | None, latest: Machine | None, lang: str) -> str:
    """One stored report: its verdicts (re-judged when the server re-judges), remedies and facts."""
    import orjson

    doc = orjson.loads(stored.body)
    facts = doc.get("facts") if isinstance(doc.get("facts"), dict) else (doc if doc.get("schema", "").startswith("readiness.facts") else {})
    site = doc.get("site") if isinstance(doc.get("site"), dict) else {}
    results = judge(facts, site) if judge is not None else [r for r in doc.get("results") or [] if isinstance(r, dict)]
    host = (facts.get("host") or {}).get("hostname") if isinstance(facts.get("host"), dict) else None
    rows = []
    for r in results:
        status = r.get("status") if r.get("status") in {s.value for s in Status} else "error"
        rows.append(f'<tr data-status="{status}"><td>{escape(str(r.get("id", "")))}</td>'
                    f'<td><span class="badge {status}">{escape(STATUS_LABELS[Status(status)](lang))}</span></td>'
                    f'<td>{_t(r.get("observed"), lang)}</td><td>{_t(r.get("expected"), lang)}</td>'
                    f'<td>{_t(r.get("message"), lang)}</td><td>{_t(r.get("remedy"), lang) if r.get("remedy") else ""}</td></tr>')
    note = "" if latest is not None else f'<p class="meta">{escape(W["superseded"](lang))}</p>'
    heads = "".join(f"<th>{escape(h)}</th>" for h in (
        ("check", "status", "observed", "expected", "message", "remedy") if lang == "en" else
        ("检查项", "状态", "实际", "要求", "说明", "处理办法")))
    title = f'{W["machine"](lang)} {host or "?"}'
    return (_head(title, lang) + f'<p><a href="/">{escape(W["back"](lang))}</a></p><h1>{escape(title)}</h1>'
            f'<p class="meta">{escape(W["received"](lang))} {escape(stored.received_at)} {escape(W["from"](lang))} '
            f'{escape(stored.client)} · #{stored.id} · {escape(str(doc.get("checked_at", "")))}</p>{note}'
            f'<h2>{escape(W["results"](lang))}</h2><table><tr>{heads}</tr>{"".join(rows)}</table>'
            f'<h2>{escape(W["facts"](lang))}</h2><pre>{escape(json.dumps(facts, ensure_ascii=False, indent=2))}</pre>'
            '</body></html>')
