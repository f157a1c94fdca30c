/*
 * Sluice web UI: the page of one batch (?id=<batch time ms>): its timings, what each input stream contributed and
 * its output operations with their status and failure. Refreshes while the batch is not completed.
 */
"use strict";

(function () {
  const { el, fill, formatDate, formatDuration, getJson, failureCell } = window.Sluice;
  const REFRESH_MS = 2000;
  const state = { loaded: 0 };
  window.sluiceBatch = state;

  function opStatus(op) {
    if (op.failureReason) {
      return "FAILED";
    }
    if (op.endTime) {
      return "SUCCEEDED";
    }
    return op.startTime ? "RUNNING" : "WAITING";
  }

  function fact(label, value, id) {
    return el("li", {}, el("strong", {}, label + ": "), el("span", { id }, value));
  }

  function render(batch, ops) {
    document.title = "Batch " + formatDate(batch.batchId) + " · Sluice";
    fill(document.getElementById("title"), "Details of batch at " + formatDate(batch.batchId));
    fill(document.getElementById("batch-summary"),
      fact("Batch Duration", formatDuration(batch.batchDuration), "batch-duration"),
      fact("Status", batch.status.toLowerCase(), "batch-status"),
      fact("Input records", batch.inputSize + " records", "input-records"),
      fact("Scheduling delay", formatDuration(batch.schedulingDelay), "scheduling-delay"),
      fact("Processing time", formatDuration(batch.processingTime), "processing-time"),
      fact("Total delay", formatDuration(batch.totalDelay), "total-delay"));

    const inputs = batch.inputs || [];
    fill(document.querySelector("#inputs tbody"), ...(inputs.length ? inputs.map((i) => {
      const meta = Object.entries(i.metadata || {});
      return el("tr", { "data-stream-id": i.streamId },
        el("td", {}, (i.streamName || "input stream") + " [" + i.streamId + "]"),
        el("td", {}, i.numRecords + " records"),
        el("td", {}, ...(meta.length ? meta.map(([k, v]) => el("div", {}, k + ": " + v)) : ["-"])));
    }) : [el("tr", { class: "empty" }, el("td", { colspan: 3 }, "No input stream contributed to this batch."))]));

    fill(document.querySelector("#operations tbody"), ...(ops.length ? ops.map((op) => {
      const status = opStatus(op);
      return el("tr", { "data-op-id": op.outputOpId, class: status.toLowerCase() },
        el("td", {}, op.outputOpId), el("td", {}, op.name), el("td", { class: "description" }, op.description || ""),
        el("td", {}, op.startTime ? formatDate(op.startTime) : "-"), el("td", {}, formatDuration(op.duration)),
        el("td", { class: "status" }, status), failureCell(op.failureReason));
    }) : [el("tr", { class: "empty" }, el("td", { colspan: 7 }, "No output operation."))]));
  }

  async function load() {
    const id = new URLSearchParams(window.location.search).get("id");
    if (!id || !/^-?\d+$/.test(id)) {
      window.Sluice.showError(new Error("no batch id: open this page as /streaming/batch/?id=<batch time in ms>"));
      return;
    }
    let again = true;
    try {
      const app = await window.Sluice.application();
      const [batch, ops] = await Promise.all([getJson(app.base + "/batches/" + id), getJson(app.base + "/batches/" + id + "/operations")]);
      render(batch, ops);
      window.Sluice.showError(null);
      state.loaded++;
      again = batch.status !== "COMPLETED";
    } catch (err) {
      if (err.status === 404) {
        fill(document.getElementById("title"), "Batch " + id + " is unknown");
        again = false;
      }
      window.Sluice.showError(err);
    } finally {
      if (again) {
        window.setTimeout(load, REFRESH_MS);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", load);
})();
