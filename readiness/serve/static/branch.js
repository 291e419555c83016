"use strict";  // after common.js
// The branch dashboard: one tile per site from GET /api/branch (readiness.branch/1), in the order the
// document gives (the sites to act on first). Text from sites goes in as DOM text nodes only; the
// words come from the server's one bilingual table (readiness/site/words.py), in the page as JSON.
// Thousands of tiles: built into one DocumentFragment, no layout read while drawing.
const STATUSES = ["pass", "warn", "fail", "error"];
function known(status) { return STATUSES.includes(status) ? status : "none"; }
function stat(box, label, value) {
  const sp = el("span", null, label + ": ");
  sp.appendChild(el("b", null, value));
  box.appendChild(sp);
}
function lastSeen(s, now) {
  if (!s.last_seen) return t("never_heard");
  const ago = Math.max(0, Math.floor((now - Date.parse(s.last_seen)) / 60000));
  return when(s.last_seen) + " (" + tn("min_ago", ago) + ")";
}
function nextExam(s, now) {
  if (!s.next_exam_at) return t("no_exam");
  const left = (Date.parse(s.next_exam_at) - now) / 1000;
  const shown = when(s.next_exam_at) + " (" + (left > 0 ? tn("in_time", span(left)) : t("under_way")) + ")";
  if (!s.following_exam_at) return shown;  // exam B while exam A is under way: both
  const then = (Date.parse(s.following_exam_at) - now) / 1000;
  return shown + " · " + t("then_exam") + " " + when(s.following_exam_at) + " (" + tn("in_time", span(Math.max(0, then))) + ")";
}
function rehearsal(r) {
  if (!r) return t("no_rehearsal");
  if (r.sites != null) return r.rehearsed + " / " + r.sites + " " + t("rehearsed");  // a branch's row
  const parts = [tn("round", r.id == null ? "?" : r.id)];
  if (["scheduled", "running", "done"].includes(r.state)) parts.push(t(r.state));  // an unknown state is not "done"
  if (r.stopped) parts.push(t("stopped"));
  if (r.joined != null) parts.push(t("joined") + " " + r.joined);
  if (r.finished != null) parts.push(t("finished") + " " + r.finished);
  if (r.failed) parts.push(t("failed") + " " + r.failed);
  if (r.max_s != null) parts.push(t("longest") + " " + Number(r.max_s).toFixed(1) + " s" + (r.plan_s != null ? " / " + r.plan_s + " s" : ""));
  return parts.join(" · ");
}
function tile(s, now) {
  const status = known(s.status);
  const box = el("section", "tile" + (s.escalate ? " escalate" : "") + (s.stale ? " stale" : ""));
  box.dataset.site = s.id;
  box.dataset.status = status;
  box.dataset.escalate = s.escalate ? "true" : "false";
  box.dataset.stale = s.stale ? "true" : "false";
  const head = el("h2");
  const heard = s.last_seen != null;  // a site never heard from has no document to open
  const a = el(heard ? "a" : "span", "site-link");
  if (heard) { a.href = "/branch/sites/" + encodeURIComponent(s.id); a.title = t("open_site"); }
  a.appendChild(el("bdi", "id", s.id));
  a.appendChild(document.createTextNode(" "));
  a.appendChild(el("bdi", "name", s.name || ""));
  head.appendChild(a);
  if (s.kind === "branch") head.appendChild(el("span", "kind", " " + t("branch")));
  box.appendChild(head);
  const v = el("div", "verdict " + status, txt(s.verdict));
  if (s.escalate) v.appendChild(el("span", "mark escalate", t("escalate")));
  if (s.escalate && s.escalate_reason) v.appendChild(el("span", "escalate-reason", " " + txt(s.escalate_reason)));
  if (s.stale) v.appendChild(el("span", "mark stale", t("stale")));
  box.appendChild(v);
  const stats = el("div", "stats");
  stat(stats, t("reports"), s.reports + (s.seats_expected != null ? " / " + s.seats_expected : ""));
  stat(stats, t("missing"), s.missing == null ? "—" : s.missing);
  if (s.kind === "branch") {
    stat(stats, t("escalating"), s.escalating);
    stat(stats, t("silent"), s.unheard);
  }
  box.appendChild(stats);
  const lines = el("div", "lines");
  for (const [k, value] of [["last_seen", lastSeen(s, now)], ["next_exam", nextExam(s, now)],
                            ["rehearsal", rehearsal(s.rehearsal)]]) {
    const d = el("div", k, t(k) + ": ");
    d.appendChild(el("b", null, value));
    lines.appendChild(d);
  }
  if (s.tool_version) {  // the readiness of that site's server: an old one may not know today's checks
    const d = el("div", "server_version", t("server_version") + ": ");
    d.appendChild(el("b", null, s.tool_version));
    lines.appendChild(d);
  }
  box.appendChild(lines);
  if (s.deadlines && s.deadlines.length) {
    const dl = el("div", "deadlines");
    for (const d of s.deadlines) {
      const chip = el("span", "deadline " + d.state, txt(d.title) + ": " + t("deadline_" + d.state));
      chip.dataset.deadline = d.id;
      dl.appendChild(chip);
    }
    box.appendChild(dl);
  }
  if (s.refused) {  // it sends, but what it sends is refused: not the same as silent
    const r = el("div", "finding refused", t("refused") + " " + when(s.refused.at) + ": " + txt(s.refused.reason));
    box.appendChild(r);
  }
  for (const f of (s.findings || []).slice(0, 3)) {
    const d = el("div", "finding");
    d.appendChild(badge(known(f.status)));
    d.appendChild(document.createTextNode(txt(f.message)));
    box.appendChild(d);
  }
  return box;
}
function summary(doc) {
  const box = el("div", "summary");
  const status = known(doc.status);
  const v = el("div", "verdict " + status, [doc.id, doc.name].filter(Boolean).join(" ") + " — " + txt(doc.verdict));
  v.id = "branch-verdict";
  v.dataset.status = status;
  box.appendChild(v);
  const stats = el("div", "stats");
  stat(stats, t("sites"), doc.sites.length);
  for (const [k, w] of [["pass", "ready"], ["warn", "warned"], ["fail", "notready"], ["error", "undetermined"]]) {
    stat(stats, t(w), doc.counts[k]);
  }
  const esc = el("span", "escalating", t("escalating") + ": ");
  esc.appendChild(el("b", null, doc.escalating));
  stats.appendChild(esc);
  const silent = el("span", "silent", t("silent") + ": ");
  silent.appendChild(el("b", null, doc.silent));
  stats.appendChild(silent);
  box.appendChild(stats);
  if (doc.store_error) box.appendChild(el("div", "verdict fail store-error", txt(doc.store_error)));
  return box;
}
function draw(doc) {
  const now = Date.now();
  const top = document.createDocumentFragment();
  top.appendChild(summary(doc));
  const tiles = document.createDocumentFragment();
  for (const s of doc.sites) tiles.appendChild(tile(s, now));
  if (!doc.sites.length) tiles.appendChild(el("p", "meta", t("no_sites")));
  document.getElementById("summary").replaceChildren(top);
  document.getElementById("sites").replaceChildren(tiles);
  document.body.dataset.drawn = String(doc.sites.length);
}
async function poll() {
  const conn = document.getElementById("conn");
  try {
    const r = await fetch("/api/branch", {cache: "no-store", credentials: "same-origin"});
    if (r.status === 401) { location.href = "/?next=branch"; return; }
    if (r.ok) {
      let doc = null;
      try { doc = await r.json(); } catch (e) { doc = null; }
      if (!doc || !Array.isArray(doc.sites)) { conn.textContent = t("unreadable"); setTimeout(poll, 4000); return; }
      draw(doc);
      conn.textContent = t("live") + " " + clock(new Date().toISOString());
    } else {
      conn.textContent = "HTTP " + r.status;
    }
  } catch (e) {
    conn.textContent = t("offline");
  }
  setTimeout(poll, 4000);
}
poll();
