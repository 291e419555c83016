"use strict";  // after common.js
// One formatter for every seat's time: toLocaleTimeString makes a new one at each call, which at
// 5,000 seats was most of the draw (0.7-1.1 s of 1.3 s).
const CLOCK = new Intl.DateTimeFormat(LANG === "zh" ? "zh-CN" : "en-GB",
  {hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false});
function clock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : CLOCK.format(d);
}
let version = 0;
function renderSite(s, single) {
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
  // the readiness versions that checked these PCs, and the PCs an older one checked without today's checks
  const versions = Object.entries(s.tool_versions || {});
  if (versions.length) {
    const d = el("div", "versions");
    d.appendChild(el("span", null, t("tool_versions") + ": "));
    d.appendChild(el("b", null, versions.map(([v, n]) => v + " ×" + n).join(", ")));
    box.appendChild(d);
  }
  for (const b of (s.behind || [])) {
    const d = el("div", "finding behind");
    d.appendChild(document.createTextNode(txt(b.message)));
    box.appendChild(d);
  }
  if (s.reverted && s.reverted.length) {
    // PCs that lose changes at restart: a check passed in an earlier report and fails again
    const r = el("div", "reverted");
    r.appendChild(el("h3", null, t("reverted")));
    for (const x of s.reverted) {
      const d = el("div", "finding");
      d.appendChild(el("b", null, x.hostname + " "));
      d.appendChild(document.createTextNode(txt(x.text)));
      r.appendChild(d);
    }
    box.appendChild(r);
  }
  const grid = el("div", "grid");
  for (const m of s.seats) {
    const a = el("a", "seat " + m.status + (m.clone ? " clone" : "") + (m.reverted && m.reverted.length ? " reverted" : ""));
    a.href = "/machine/" + encodeURIComponent(m.id);
    a.dataset.host = m.hostname;
    a.dataset.status = m.status;
    const problems = m.problems.map((id) => title(s, id));
    a.title = m.hostname + (problems.length ? " — " + problems.join(LANG === "zh" ? "、" : ", ") : "") + (m.clone ? " — " + t("clone") : "");
    a.appendChild(el("bdi", "host", m.hostname));  // isolated: a right-to-left name cannot reorder the seat
    a.appendChild(el("small", null, t("lastseen") + " " + clock(m.last_seen)));
    grid.appendChild(a);
  }
  for (let i = 0; i < Math.min(s.missing, 1000); i++) grid.appendChild(el("div", "seat missing"));
  box.appendChild(grid);
  box.appendChild(whyBox(s, single));
  return box;
}
// One site (a site server): the why-tables open. Many (a branch): each folded, built when opened,
// so that thousands of seats draw at once.
function whyBox(s, open) {
  const box = el("details", "why-box");
  box.appendChild(el("summary", null, t("why")));
  const build = () => { if (!box.dataset.built) { box.dataset.built = "1"; box.appendChild(renderWhy(s)); } };
  if (open) { box.open = true; build(); }
  box.addEventListener("toggle", () => { if (box.open) build(); });
  return box;
}
// Why, not just which: the per-check counts, the machines with problems and what they saw, and what
// to do, as `readiness aggregate` prints them. Machine text goes in as text nodes, never as markup.
function title(s, id) { return s.titles && s.titles[id] ? txt(s.titles[id]) : id; }
function renderWhy(s) {
  const why = el("div", "why");
  if (s.checks && s.checks.length) {
    const table = el("table", "checks");
    const head = el("tr");
    for (const h of [t("check"), txt(TABLE.status.fail), txt(TABLE.status.error), txt(TABLE.status.warn)]) {
      head.appendChild(el("th", null, h));
    }
    table.appendChild(head);
    for (const c of s.checks) {
      const tr = el("tr");
      tr.dataset.check = c.id;
      tr.appendChild(el("td", null, title(s, c.id)));
      for (const k of ["fail", "error", "warn"]) tr.appendChild(el("td", "num", c[k]));
      table.appendChild(tr);
    }
    why.appendChild(table);
  }
  if (s.problems && s.problems.length) {
    why.appendChild(el("h3", null, t("problems")));
    const table = el("table", "problems");
    for (const m of s.problems) {
      const tr = el("tr");
      tr.dataset.status = m.status;
      const host = el("td");
      host.appendChild(el("bdi", null, m.hostname));
      tr.appendChild(host);
      const st = el("td");
      st.appendChild(badge(m.status));
      tr.appendChild(st);
      const items = el("td");
      for (const p of m.items) items.appendChild(el("div", null, title(s, p.check) + ": " + txt(p.observed)));
      tr.appendChild(items);
      const act = el("td");
      act.appendChild(machineButton("hide", m, t("confirm_hide")));
      tr.appendChild(act);
      table.appendChild(tr);
    }
    why.appendChild(table);
  }
  for (const f of s.fixes || []) {
    const d = el("div", "fix");
    d.appendChild(el("b", null, t("fix") + " " + title(s, f.check) + ": "));
    d.appendChild(document.createTextNode(txt(f.text)));
    why.appendChild(d);
  }
  return why;
}
// Hide a stale machine (re-imaged under a new id, gone) or show it again: logged on the server.
function machineButton(action, m, question) {
  const b = el("button", "machine-" + action, t(action === "hide" ? "hide" : "show_again"));
  b.addEventListener("click", async () => {
    if (question && !confirm(question)) return;
    const r = await fetch("/api/machines/" + action, {method: "POST", credentials: "same-origin",
      headers: {"X-Readiness": "1", "Content-Type": "application/json"},
      body: JSON.stringify({machine_id: m.machine_id, hostname: m.hostname})});
    if (!r.ok) {
      let why = "";
      try { const body = await r.json(); why = body.error_text ? txt(body.error_text) : (body.error || ""); } catch (e) { /* the status says enough */ }
      alert("HTTP " + r.status + (why ? ": " + why : ""));
    }
    version = "";
  });
  return b;
}
function renderHidden(hidden) {
  const box = el("section", "hidden-machines");
  box.appendChild(el("h3", null, t("hidden") + ": " + hidden.length));
  for (const h of hidden) {
    const d = el("div");
    d.appendChild(el("bdi", null, h.hostname));
    d.appendChild(document.createTextNode(" (" + (h.machine_id || "—") + ", " + clock(h.since) + ") "));
    d.appendChild(machineButton("show", h, null));
    box.appendChild(d);
  }
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
      tr.appendChild(el("td", null, [p.device.model || txt(p.device.name), p.device.os_version].filter(Boolean).join(" ")));
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
  bar.appendChild(el("span", null, t("seats_waiting") + ": " + reh.waiting));
  const button = el("button", null, t("start"));
  button.id = "start-round";
  button.addEventListener("click", async () => {
    if (!confirm(t("confirm"))) return;
    const r = await fetch("/api/rehearsals", {method: "POST", credentials: "same-origin",
      headers: {"X-Readiness": "1", "Content-Type": "application/json"}, body: "{}"});
    if (!r.ok) {
      let why = "";
      try { const b = await r.json(); why = b.error_text ? txt(b.error_text) : (b.error || ""); }
      catch (e) { /* not JSON: the status says enough */ }
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
               tn("round", x.id) + " · " + t("state") + ": " + t(x.state));
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
    tr.appendChild(el("td", null, t(seat.status) + (seat.error ? ": " + (seat.error_text ? txt(seat.error_text) : seat.error) : "")));
    tr.appendChild(el("td", null, seat.finish_s == null ? "—" : seat.finish_s.toFixed(1)));
    tr.appendChild(el("td", null, seat.mbps == null ? "—" : seat.mbps + " Mbit/s"));
    table.appendChild(tr);
  }
  box.appendChild(table);
  return box;
}
function tickButton(item) {
  const done = item.state === "done";
  const b = el("button", "tick", t(done ? "undo_tick" : "mark_done"));
  b.onclick = async () => {
    if (!done && !confirm(t("confirm_tick"))) return;
    b.disabled = true;
    const r = await fetch("/api/exam/ticks", {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Readiness": "1"},
      body: JSON.stringify({item: item.id, done: !done})});
    if (!r.ok) { const e = await r.json().catch(() => ({})); alert(e.error_text ? txt(e.error_text) : "HTTP " + r.status); }
    version = 0;
    poll();
  };
  return b;
}
function renderExam(exam, fetchedAt) {
  const box = el("section", "exam");
  box.appendChild(el("h2", null, t("exam")));
  if (!exam || !exam.next_start) { box.appendChild(el("p", "meta", t("nostart"))); return box; }
  const left = exam.seconds_to_start - (Date.now() - fetchedAt) / 1000;
  const head = el("p", "countdown");
  head.appendChild(el("b", null, (left > 0 ? t("next_start") : t("under_way_since")) + ": " + when(exam.next_start)));
  if (left > 0) head.appendChild(el("span", "left", " — " + t("in") + " " + span(left)));
  // the start after this one (exam B while exam A is under way): the manager prepares for it too
  if (exam.following_start) head.appendChild(el("span", "following", " · " + t("then_exam") + " " + when(exam.following_start)));
  box.appendChild(head);
  if (exam.escalate) {
    const e = el("div", "verdict fail escalate", tn("escalate_now", Math.round(exam.escalate_before_s / 60)));
    // why, as the branch is told it (its document's exam.escalate_reason, {en, zh})
    if (exam.escalate_reason) e.appendChild(el("div", "why", t("reasons") + ": " + txt(exam.escalate_reason)));
    box.appendChild(e);
  }
  const table = el("table", "deadlines");
  for (const d of exam.deadlines) {
    const tr = el("tr");
    tr.dataset.deadline = d.id;
    tr.dataset.state = d.state;
    tr.appendChild(el("td", null, txt(d.title)));
    tr.appendChild(el("td", null, t("due") + " " + when(d.due_at)));
    const st = el("td");
    st.appendChild(el("span", "badge " + ({done: "pass", open: "warn", overdue: "fail", unknown: "error"}[d.state]),
                      txt(d.state_text) + (d.done_at ? " " + when(d.done_at) : "")));
    tr.appendChild(st);
    const act = el("td");
    if (d.id === "invigilators") act.appendChild(tickButton(d));
    tr.appendChild(act);
    table.appendChild(tr);
  }
  box.appendChild(table);
  return box;
}
function renderUpstream(ups, branch) {
  const box = el("section", "upstream");
  for (const u of ups || []) {
    const p = el("p", u.error ? "result fail" : "result pass");
    p.dataset.upstream = u.error ? "error" : "ok";
    p.appendChild(el("b", null, t("upstream") + " (" + u.url + "): "));
    if (u.error) {
      p.appendChild(document.createTextNode(t("not_delivered") + " " + when(u.pending_since || u.error_at) + ": " +
                                            txt(u.error) + " — " + t("kept")));
    } else {
      p.appendChild(document.createTextNode(u.delivered_at ? t("delivered") + " " + when(u.delivered_at)
                                                           : t("never_delivered")));
    }
    box.appendChild(p);
  }
  if (branch) {
    const a = el("a", null, t("branch_page"));
    a.href = "/branch";
    box.appendChild(a);
  }
  return box;
}
function render(s) {
  const root = document.getElementById("sites");
  root.replaceChildren();
  root.appendChild(renderExam(s.exam, Date.now()));
  if ((s.upstream && s.upstream.length) || s.branch) root.appendChild(renderUpstream(s.upstream, s.branch));
  if (!s.sites.length) root.appendChild(el("p", "meta", t("nosite")));
  for (const site of s.sites) root.appendChild(renderSite(site, s.sites.length === 1));
  if (s.rejected.count) {
    root.appendChild(el("h3", null, t("rejected_reports") + ": " + s.rejected.count));
    const ul = el("ul");
    for (const r of s.rejected.items) ul.appendChild(el("li", null, r.path + ": " + txt(r.reason_text || r.reason)));
    root.appendChild(ul);
  }
  if (s.hidden && s.hidden.length) root.appendChild(renderHidden(s.hidden));
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
