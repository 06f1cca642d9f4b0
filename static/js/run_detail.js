// The run page (templates/analysis/run_detail.html): while the run works, poll its status
// (data-status-url) each second and move its bars; reload once it has ended so that the results,
// or what finished before a cancel, are shown. Loaded as a file: the site's Content-Security-Policy
// allows no inline script.
(function () {
  "use strict";
  const box = document.getElementById("run-progress");
  if (!box || box.dataset.finished === "1") return;
  const ENDED = ["DONE", "FAILED", "CANCELLED"];

  function drawBar(progress, bar) {
    // bar: {state: active|done|failed|cancelled, width, text} from the server (views/runs.py: bar_state)
    progress.classList.remove("active", "done", "failed", "cancelled");
    progress.classList.add(bar.state);
    progress.querySelector(".bar").style.width = bar.width + "%";
  }

  const timer = setInterval(async () => {
    let data;
    try {
      data = await (await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}})).json();
    } catch (error) {
      return; // a missed poll: the next one tries again
    }
    drawBar(box, data.bar);
    document.getElementById("run-bar-text").textContent = data.bar.text;
    document.getElementById("run-status").textContent = data.status_display;
    document.getElementById("run-message").textContent = data.message;
    for (const fit of data.specifications || []) {
      const row = document.querySelector(`#run-specifications tr[data-position="${fit.position}"]`);
      if (!row) continue;
      drawBar(row.querySelector(".progress"), fit.bar);
      row.querySelector(".fit-status").textContent = fit.status_display;
      row.querySelector(".fit-message").textContent = fit.error || fit.message;
      row.querySelector(".fit-worker").textContent = fit.worker;
    }
    if (ENDED.includes(data.status)) {
      clearInterval(timer);
      location.reload();
    }
  }, 1000);
})();
