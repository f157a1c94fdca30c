/*
 * Sluice web UI: the streaming page. Reads statistics, receivers and batches from the REST API every few seconds
 * and draws the header line, four uPlot timelines with SVG histograms beside them, and the batch tables.
 * window.sluiceUi exposes the charts and a refresh counter (the browser test reads them).
 */
"use strict";

(function () {
  const { el, fill, formatDate, formatDuration, formatDurationVerbose, formatNumber, getJson, batchUrl } = window.Sluice;
  const REFRESH_MS = 2000;
  const PAGE_SIZE = 20;
  const CHART_HEIGHT = 170;
  const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
  const METRICS = ["inputRate", "schedulingDelay", "processingTime", "totalDelay"];

  const state = { batchSeconds: 1, app: null, charts: {}, signatures: {}, completedPage: 0, completedCount: 0, refreshes: 0, lastError: null };
  window.sluiceUi = state;

  const CHART_WIDTH = 640;
  const TICK_MULTIPLES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 18000, 43200, 86400];

  /** One timeline: x is the batch time in seconds, each series a list aligned with it (null where unknown). */
  function drawTimeline(metric, xs, series, unit, batchIds) {
    const id = "chart-" + metric;
    const cell = document.getElementById(id);
    const signature = series.map((s) => s.label).join("\u0000");
    const data = [xs].concat(series.map((s) => s.values));
    let chart = state.charts[metric];
    if (chart && state.signatures[metric] === signature) {
      chart.setData(data);
      chart.sluiceBatchIds = batchIds;
      return;
    }
    if (chart) {
      chart.destroy();
    }
    fill(cell);
    const opts = {
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        // ticks at whole multiples of the batch interval, labelled with the UTC time of day
        { space: 80, incrs: TICK_MULTIPLES.map((k) => k * state.batchSeconds),
          values: (u, ticks) => ticks.map((t) => formatDate(t * 1000).slice(11)) },
        { size: 70, values: (u, ticks) => ticks.map((v) => unit(v)) },
      ],
      series: [{ label: "batch time", value: (u, v) => (v === null || v === undefined ? "-" : formatDate(v * 1000)) }]
        .concat(series.map((s, i) => ({
          label: s.label,
          stroke: s.color || COLORS[i % COLORS.length],
          width: s.dash ? 1 : 1.5,
          dash: s.dash,
          points: { show: !s.dash, size: 5 },
          value: (u, v) => (v === null || v === undefined ? "-" : unit(v)),
        }))),
    };
    chart = new uPlot(opts, data, cell);
    chart.sluiceBatchIds = batchIds;
    // a click on the plot opens the batch under the cursor, like the data points of the seed's UI
    chart.over.addEventListener("click", () => {
      const i = chart.cursor.idx;
      if (i !== null && i !== undefined && chart.sluiceBatchIds[i] !== undefined) {
        window.location.href = batchUrl(chart.sluiceBatchIds[i]);
      }
    });
    chart.over.classList.add("clickable");
    state.charts[metric] = chart;
    state.signatures[metric] = signature;
  }

  /** A histogram beside a timeline: value bins bottom to top (the timeline's y axis), bar length the batch count. */
  function drawHistogram(metric, values, unit) {
    const cell = document.getElementById("hist-" + metric);
    const known = values.filter((v) => v !== null && v !== undefined);
    const NS = "http://www.w3.org/2000/svg";
    const width = 260;
    const height = CHART_HEIGHT;
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("class", "histogram-svg");
    svg.setAttribute("data-values", known.length);
    const bins = 10;
    const max = known.length ? Math.max(...known) : 0;
    const top = max > 0 ? max * 1.1 : 1;
    const counts = new Array(bins).fill(0);
    for (const v of known) {
      counts[Math.min(bins - 1, Math.floor((v / top) * bins))]++;
    }
    const most = Math.max(1, ...counts);
    const plotTop = 10;
    const plotBottom = height - 30;
    const binHeight = (plotBottom - plotTop) / bins;
    const left = 4;
    const barMax = width - left - 40;
    counts.forEach((c, i) => {
      if (c === 0) {
        return;
      }
      const y = plotBottom - (i + 1) * binHeight;
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", left);
      rect.setAttribute("y", y + 1);
      rect.setAttribute("width", Math.max(2, (c / most) * barMax));
      rect.setAttribute("height", Math.max(1, binHeight - 2));
      rect.setAttribute("class", "bar");
      rect.setAttribute("data-count", c);
      const title = document.createElementNS(NS, "title");
      title.textContent = unit((i * top) / bins) + " to " + unit(((i + 1) * top) / bins) + ": " + window.Sluice.plural(c, "batch", "batches");
      rect.appendChild(title);
      svg.appendChild(rect);
      const label = document.createElementNS(NS, "text");
      label.setAttribute("x", left + Math.max(2, (c / most) * barMax) + 4);
      label.setAttribute("y", y + binHeight / 2 + 4);
      label.setAttribute("class", "bar-label");
      label.textContent = String(c);
      svg.appendChild(label);
    });
    const axis = document.createElementNS(NS, "text");
    axis.setAttribute("x", left);
    axis.setAttribute("y", height - 10);
    axis.setAttribute("class", "axis-label");
    axis.textContent = known.length ? "batches per bin (0 to " + unit(top) + ")" : "no completed batch yet";
    svg.appendChild(axis);
    fill(cell, svg);
  }

  const ms = (v) => formatDuration(v);
  const perSec = (v) => formatNumber(Math.round(v * 100) / 100) + "/s";

  function renderCharts(stats, receivers, completedOldestFirst) {
    state.batchSeconds = Math.max(0.001, stats.batchDuration / 1000);
    const xs = completedOldestFirst.map((b) => b.batchId / 1000);
    const ids = completedOldestFirst.map((b) => b.batchId);
    let inputSeries;
    if (receivers.length) {
      inputSeries = receivers.map((r) => {
        const byBatch = new Map(r.eventRates.map(([t, rate]) => [t, rate]));
        return { label: (r.streamName || "stream") + " [" + r.streamId + "]", values: ids.map((id) => (byBatch.has(id) ? byBatch.get(id) : null)) };
      });
    } else {
      inputSeries = [{ label: "all inputs", values: completedOldestFirst.map((b) => (b.inputSize * 1000) / b.batchDuration) }];
    }
    const totalRates = completedOldestFirst.map((b) => (b.inputSize * 1000) / b.batchDuration);
    drawTimeline("inputRate", xs, inputSeries, perSec, ids);
    drawHistogram("inputRate", totalRates, perSec);

    const sched = completedOldestFirst.map((b) => (b.schedulingDelay === undefined ? null : b.schedulingDelay));
    drawTimeline("schedulingDelay", xs, [{ label: "scheduling delay", values: sched }], ms, ids);
    drawHistogram("schedulingDelay", sched, ms);

    const proc = completedOldestFirst.map((b) => (b.processingTime === undefined ? null : b.processingTime));
    drawTimeline("processingTime", xs, [
      { label: "processing time", values: proc },
      { label: "batch interval", values: xs.map(() => stats.batchDuration), color: "#d62728", dash: [6, 4] },
    ], ms, ids);
    drawHistogram("processingTime", proc, ms);

    const total = completedOldestFirst.map((b) => (b.totalDelay === undefined ? null : b.totalDelay));
    drawTimeline("totalDelay", xs, [{ label: "total delay", values: total }], ms, ids);
    drawHistogram("totalDelay", total, ms);

    document.getElementById("timeline-range").textContent = xs.length
      ? formatDate(ids[0]) + " to " + formatDate(ids[ids.length - 1]) + ", " + window.Sluice.plural(xs.length, "batch", "batches")
      : "no completed batch yet";
    fill(document.getElementById("avg-inputRate"), stats.avgInputRate === undefined ? "" : "Avg: " + formatNumber(stats.avgInputRate) + " records/s");
    fill(document.getElementById("avg-schedulingDelay"), stats.avgSchedulingDelay === undefined ? "" : "Avg: " + ms(stats.avgSchedulingDelay));
    fill(document.getElementById("avg-processingTime"), stats.avgProcessingTime === undefined ? "" : "Avg: " + ms(stats.avgProcessingTime));
    fill(document.getElementById("avg-totalDelay"), stats.avgTotalDelay === undefined ? "" : "Avg: " + ms(stats.avgTotalDelay));
    fill(document.getElementById("receivers"), ...receivers.map((r) => el("div", { class: "receiver" + (r.isActive === false ? " inactive" : "") },
      (r.streamName || "stream") + " [" + r.streamId + "]" + (r.isActive === false ? " (inactive)" : ""),
      r.avgEventRate === undefined ? null : ": " + formatNumber(r.avgEventRate) + " records/s",
      r.lastErrorMessage ? el("div", { class: "failure", title: r.lastError || r.lastErrorMessage }, "last error " + formatDate(r.lastErrorTime) + ": " + r.lastErrorMessage) : null)));
  }

  function opsCell(b) {
    return el("td", {}, b.numCompletedOutputOps + "/" + b.numTotalOutputOps,
      b.numFailedOutputOps ? el("span", { class: "failed" }, " (" + b.numFailedOutputOps + " failed)") : null,
      b.numActiveOutputOps ? " (" + b.numActiveOutputOps + " running)" : null);
  }

  function batchLink(b) {
    return el("td", {}, el("a", { href: batchUrl(b.batchId), class: "batch-link", "data-batch-id": b.batchId }, formatDate(b.batchId)));
  }

  function renderTables(stats, batches) {
    const active = batches.filter((b) => b.status !== "COMPLETED");
    document.getElementById("active-count").textContent = String(active.length);
    fill(document.querySelector("#active-batches tbody"), ...(active.length ? active.map((b) => el("tr", { "data-batch-id": b.batchId, class: b.status.toLowerCase() },
      batchLink(b), el("td", {}, b.inputSize + " records"), el("td", {}, ms(b.schedulingDelay)), el("td", {}, "-"),
      opsCell(b), el("td", {}, b.status.toLowerCase()))) : [el("tr", { class: "empty" }, el("td", { colspan: 6 }, "No active batch."))]));

    const completed = batches.filter((b) => b.status === "COMPLETED");
    document.getElementById("completed-retained").textContent = String(completed.length);
    document.getElementById("completed-total").textContent = String(stats.numTotalCompletedBatches);
    const pages = Math.max(1, Math.ceil(completed.length / PAGE_SIZE));
    state.completedPage = Math.min(state.completedPage, pages - 1);
    const shown = completed.slice(state.completedPage * PAGE_SIZE, (state.completedPage + 1) * PAGE_SIZE);
    fill(document.querySelector("#completed-batches tbody"), ...(shown.length ? shown.map((b) => el("tr", { "data-batch-id": b.batchId, class: b.numFailedOutputOps ? "has-failure" : null },
      batchLink(b), el("td", {}, b.inputSize + " records"), el("td", {}, ms(b.schedulingDelay)), el("td", {}, ms(b.processingTime)),
      el("td", {}, ms(b.totalDelay)), opsCell(b), window.Sluice.failureCell(b.firstFailureReason))) : [el("tr", { class: "empty" }, el("td", { colspan: 7 }, "No completed batch yet."))]));
    document.getElementById("page-info").textContent = "page " + (state.completedPage + 1) + " of " + pages;
    document.getElementById("page-prev").disabled = state.completedPage === 0;
    document.getElementById("page-next").disabled = state.completedPage >= pages - 1;
  }

  function renderSummary(app, stats) {
    const summary = document.getElementById("summary");
    if (stats.startTime === undefined) {
      summary.textContent = "Streaming has not started yet (batches of " + formatDurationVerbose(stats.batchDuration) + ").";
      return;
    }
    const uptime = app.attempt && app.attempt.duration !== undefined ? app.attempt.duration : null;
    fill(summary, "Running batches of ", el("strong", { id: "batch-interval" }, formatDurationVerbose(stats.batchDuration)),
      " for ", el("strong", { id: "uptime" }, formatDurationVerbose(uptime)),
      " since ", el("strong", { id: "start-time" }, formatDate(stats.startTime)),
      " (", el("strong", { id: "completed-batches" }, stats.numTotalCompletedBatches), " completed batches, ",
      el("strong", { id: "records" }, stats.numReceivedRecords), " records)");
  }

  async function refresh() {
    try {
      const app = await window.Sluice.application();
      const [stats, receivers, batches] = await Promise.all([
        getJson(app.base + "/statistics"), getJson(app.base + "/receivers"), getJson(app.base + "/batches")]);
      state.app = app;
      renderSummary(app, stats);
      const completedOldestFirst = batches.filter((b) => b.status === "COMPLETED").reverse();
      renderCharts(stats, receivers, completedOldestFirst);
      renderTables(stats, batches);
      window.Sluice.showError(null);
      state.lastError = null;
      state.refreshes++;
    } catch (err) {
      state.lastError = String(err && err.message ? err.message : err);
      window.Sluice.showError(err);
    } finally {
      window.setTimeout(refresh, REFRESH_MS);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("page-prev").addEventListener("click", () => { state.completedPage = Math.max(0, state.completedPage - 1); refresh0(); });
    document.getElementById("page-next").addEventListener("click", () => { state.completedPage++; refresh0(); });
    refresh();
  });

  /** Redraws the tables at once after a page change (the timer keeps running). */
  async function refresh0() {
    if (!state.app) {
      return;
    }
    try {
      const [stats, batches] = await Promise.all([getJson(state.app.base + "/statistics"), getJson(state.app.base + "/batches")]);
      renderTables(stats, batches);
    } catch (err) {
      window.Sluice.showError(err);
    }
  }
})();
