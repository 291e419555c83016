"use strict";
// What the manager's pages (the site dashboard, the branch dashboard) share, written once: the
// words from the server's one bilingual table (readiness/site/words.py, in the page as JSON), DOM
// text nodes only, and how a time and a countdown read.
const LANG = document.documentElement.lang === "en" ? "en" : "zh";
const TABLE = JSON.parse(document.getElementById("words").textContent);
function t(k) { const w = TABLE.words[k]; return w ? w[LANG] : k; }
function tn(k, n) { return t(k).replace("{n}", String(n)); }
function txt(o) { return (o && typeof o === "object") ? (o[LANG] || o.en || "") : String(o == null ? "" : o); }
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = String(text);
  return e;
}
function badge(status) { return el("span", "badge " + status, txt(TABLE.status[status] || status)); }
const TIME = new Intl.DateTimeFormat(LANG === "zh" ? "zh-CN" : "en-GB",
  {month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false});
function when(iso) {  // a moment in this computer's time zone: "12/05, 08:30"
  if (!iso) return "—";
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : TIME.format(d);
}
function span(seconds) {  // a countdown: "2 d 3 h", "2 h 05 min", "4 min 10 s" (天 小时 分 秒)
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const u = (k) => " " + t("unit_" + k) + " ";
  if (h >= 48) return (Math.floor(h / 24) + u("d") + (h % 24) + u("h")).trim();
  if (h) return (h + u("h") + String(m).padStart(2, "0") + u("min")).trim();
  return (m + u("min") + String(r).padStart(2, "0") + u("s")).trim();
}
