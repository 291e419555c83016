"use strict";
const LANG = document.documentElement.lang === "en" ? "en" : "zh";
const OTHER = LANG === "zh" ? "en" : "zh";
// The words come from the server's one bilingual table (readiness/site/words.py), in the page as JSON.
const TABLE = JSON.parse(document.getElementById("words").textContent);
const LABELS = TABLE.status;
function t(k, lang) { const w = TABLE.words[k]; return w ? w[lang || LANG] : k; }
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
  out.replaceChildren(el("p", null, t("sending")));
  const token = new URLSearchParams(location.search).get("t") || "";
  const d = await facts();
  d.app_version = document.getElementById("app").value;
  d.name = document.getElementById("name").value;
  d.room = document.getElementById("room").value;
  const stated = document.getElementById("memory").value.trim().replace(",", ".").replace(/\s*(gb|g)$/i, "");
  d.stated_memory_gb = stated === "" ? null : Number(stated);  // not a number: the server says so
  let r, body;
  try {
    r = await fetch("/api/phones", {method: "POST", headers: {"Content-Type": "application/json",
                    "Authorization": "Bearer " + token}, body: JSON.stringify(d)});
    body = await r.json();
  } catch (e) {
    out.replaceChildren(el("p", "result error", t("unreachable") + e));
    return;
  }
  out.replaceChildren();
  if (!r.ok) {
    const why = body.error_text ? (body.error_text[LANG] || body.error_text.en) : (body.error || "");
    out.appendChild(el("p", "result error", "HTTP " + r.status + ": " + why));
    return;
  }
  const v = el("div", "verdict " + body.status, LABELS[body.status][LANG] + " ");
  v.appendChild(el("span", "other", LABELS[body.status][OTHER]));  // the other language, as below: class "other"
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
    box.appendChild(el("div", "meta other", res.observed[OTHER]));
    if (res.remedy) {
      box.appendChild(el("div", null, "→ " + res.remedy[LANG]));
      box.appendChild(el("div", "meta other", res.remedy[OTHER]));
    }
    out.appendChild(box);
  }
}
document.getElementById("form").addEventListener("submit", send);
