"use strict";
// What the manager's pages (the site dashboard, the branch dashboard) share, written once: the
// words from the server's one bilingual table (readiness/site/words.py, in the page as JSON), DOM
// text nodes only, and how a time (in the site's zone) and a countdown read.
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
// Every time as every page and file says it (readiness/core/times.py `when`): "2026-12-07 15:23
// UTC+08:00", year-month-day and 24 h whatever the language, in the site's zone (the exam's), which
// the server writes on the page (data-utc-offset-min). Never this browser's zone: a manager's laptop
// may be set wrong. Computed from the offset with UTC arithmetic, no Intl time zone, no formatter to
// build (a formatter made per call was most of a 5,000-seat draw once: toLocaleTimeString, 0.7-1.1 s
// of 1.3 s); the site's today is worked out once a minute. A time without its offset is no instant:
// shown as it came.
const ZONE_MIN = (() => {
  const n = Number(document.body.dataset.utcOffsetMin);
  return Number.isInteger(n) && Math.abs(n) <= 14 * 60 ? n : 0;
})();
function two(n) { return n < 10 ? "0" + n : String(n); }
const ZONE = "UTC" + (ZONE_MIN < 0 ? "-" : "+") + two(Math.floor(Math.abs(ZONE_MIN) / 60)) + ":" + two(Math.abs(ZONE_MIN) % 60);
const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i;
function wall(iso) {  // the site's wall clock, read with getUTC*; null when it is no instant
  if (typeof iso !== "string" || !INSTANT.test(iso)) return null;
  const ms = Date.parse(iso);
  return isNaN(ms) ? null : new Date(ms + ZONE_MIN * 60000);
}
function day(d) { return d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()); }
function hm(d) { return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()); }
function when(iso, seconds) {  // "2026-12-07 15:23 UTC+08:00"
  if (!iso) return "—";
  const d = wall(iso);
  return d ? day(d) + " " + hm(d) + (seconds ? ":" + two(d.getUTCSeconds()) : "") + " " + ZONE : String(iso);
}
let todayMinute = -1, today = "";
function siteToday() {
  const minute = Math.floor(Date.now() / 60000);
  if (minute !== todayMinute) { todayMinute = minute; today = day(new Date((minute + ZONE_MIN) * 60000)); }
  return today;
}
function clock(iso) {  // a seat's time in brief: "15:23:05" on the site's today, else "2026-12-06 15:23" (the zone: once, in the bar)
  if (!iso) return "";
  const d = wall(iso);
  if (!d) return String(iso);
  return day(d) === siteToday() ? hm(d) + ":" + two(d.getUTCSeconds()) : day(d) + " " + hm(d);
}
function sayZone() {  // the zone the page's times are in, once, in its bar
  const bar = document.querySelector(".bar");
  if (bar) bar.appendChild(el("span", "zone", tn("times_in", ZONE)));
}
sayZone();
function span(seconds) {  // a countdown: "2 d 3 h", "2 h 05 min", "4 min 10 s" (天 小时 分 秒)
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const u = (k) => " " + t("unit_" + k) + " ";
  if (h >= 48) return (Math.floor(h / 24) + u("d") + (h % 24) + u("h")).trim();
  if (h) return (h + u("h") + String(m).padStart(2, "0") + u("min")).trim();
  return (m + u("min") + String(r).padStart(2, "0") + u("s")).trim();
}
