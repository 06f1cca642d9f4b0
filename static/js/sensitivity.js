// A sensitivity run (templates/analysis/sensitivity_detail.html): its status is polled (the one
// job-status payload, jobs/selectors.py: status_payload) until it has finished, then the page
// reloads to show the table.
(function () {
  const box = document.getElementById("sensitivity-progress");
  if (!box || box.dataset.finished === "1") return;
  const timer = setInterval(async () => {
    let data;
    try { data = await (await fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}})).json(); } catch (error) { return; }
    // bar: {state: active|done|failed|cancelled, width, text}, drawn by the server (jobs/selectors.py: bar_state)
    box.classList.remove("active", "done", "failed", "cancelled");
    box.classList.add(data.bar.state);
    box.querySelector(".bar").style.width = data.bar.width + "%";
    document.getElementById("sensitivity-status").textContent = data.status_display;
    document.getElementById("sensitivity-message").textContent = data.message;
    document.getElementById("sensitivity-waiting").textContent = data.waiting_reason || "";
    if (data.finished) { clearInterval(timer); location.reload(); }
  }, 1000);
})();
