/*
 * Sluice web UI: helpers shared by the pages. Every value from the server is put into the DOM as text
 * (textContent, setAttribute), never parsed as markup.
 */
"use strict";

window.Sluice = (function () {
  /** Creates an element; string or number children become text nodes, null/undefined ones are skipped. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) {
        e.setAttribute(k, String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined) {
        continue;
      }
      e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  /** Replaces an element's children. */
  function fill(parent, ...children) {
    parent.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
  }

  /** Text for a message that may contain markup: useful where a string must be put into HTML source. */
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function pad(n, w) {
    return String(n).padStart(w || 2, "0");
  }

  /** yyyy/MM/dd HH:mm:ss in UTC, from epoch ms or an ISO string. */
  function formatDate(t) {
    if (t === null || t === undefined) {
      return "-";
    }
    const d = new Date(t);
    return d.getUTCFullYear() + "/" + pad(d.getUTCMonth() + 1) + "/" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds());
  }

  /** A duration in ms the way the seed's UI shows it: "0 ms", "850 ms", "1.2 s", "3.5 min", "2.1 h". */
  function formatDuration(ms) {
    if (ms === null || ms === undefined || Number.isNaN(ms)) {
      return "-";
    }
    if (ms < 10 && !Number.isInteger(ms)) {
      return String(Math.round(ms * 10) / 10) + " ms"; // small axis ticks: 0.5 ms, not a second "1 ms"
    }
    if (ms < 1000) {
      return Math.round(ms) + " ms";
    }
    if (ms < 60000) {
      return trim(ms / 1000) + " s";
    }
    if (ms < 3600000) {
      return trim(ms / 60000) + " min";
    }
    return trim(ms / 3600000) + " h";
  }

  function trim(x) {
    return x >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
  }

  function plural(n, word, many) {
    return n + " " + (n === 1 ? word : many || word + "s");
  }

  /** A long duration in words: "35 minutes 9 seconds", "2 seconds", "12 hours 36 minutes 35 seconds". */
  function formatDurationVerbose(ms) {
    if (ms === null || ms === undefined || ms < 0) {
      return "-";
    }
    if (ms < 1000) {
      return ms + " ms";
    }
    let s = Math.floor(ms / 1000);
    const parts = [];
    const units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
    for (const [name, secs] of units) {
      const n = Math.floor(s / secs);
      s -= n * secs;
      if (n > 0) {
        parts.push(plural(n, name));
      }
    }
    return parts.join(" ");
  }

  function formatNumber(n) {
    if (n === null || n === undefined) {
      return "-";
    }
    return Number.isInteger(n) ? String(n) : (Math.round(n * 100) / 100).toFixed(2);
  }

  async function getJson(path) {
    const res = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!res.ok) {
      let message = res.status + " " + res.statusText;
      try {
        const body = await res.json();
        if (body && body.message) {
          message = body.message;
        }
      } catch (e) {
        // not JSON: keep the status line
      }
      const err = new Error(message);
      err.status = res.status;
      throw err;
    }
    return res.json();
  }

  /** The application this driver serves: {id, name, base}, base being the streaming REST path. */
  async function application() {
    const apps = await getJson("/api/v1/applications");
    if (!apps.length) {
      throw new Error("the driver serves no application");
    }
    const app = apps[0];
    document.getElementById("app-name").textContent = app.name + " (" + app.id + ")";
    return { id: app.id, name: app.name, attempt: app.attempts[0],
      base: "/api/v1/applications/" + encodeURIComponent(app.id) + "/streaming" };
  }

  function batchUrl(batchId) {
    return "/streaming/batch/?id=" + encodeURIComponent(batchId);
  }

  function showError(err) {
    const box = document.getElementById("error");
    if (!box) {
      return;
    }
    if (err) {
      box.textContent = "Cannot read the driver's REST API: " + (err.message || err);
      box.hidden = false;
    } else {
      box.hidden = true;
      box.textContent = "";
    }
  }

  /** A failure reason cut to its first line, with the whole text as tooltip. */
  function failureCell(reason) {
    if (!reason) {
      return el("td", {});
    }
    const firstLine = String(reason).split("\n")[0];
    return el("td", { class: "failure", title: reason }, firstLine);
  }

  return { el, fill, escapeHtml, formatDate, formatDuration, formatDurationVerbose, formatNumber, getJson,
    application, batchUrl, showError, failureCell, plural };
})();
