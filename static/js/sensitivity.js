// A sensitivity run (templates/analysis/sensitivity_detail.html): its progress is polled until it
// has finished, then the page reloads to show the table.
(function () {
  const box = document.getElementById("sensitivity-progress");
  if (!box || box.dataset.finished === "1") return;
  const timer = setInterval(async () => {
    let data;
    try { data = await (await fetch(box.dataset.statusUrl)).json(); } catch (error) { return; }
    box.querySelector(".bar").style.width = data.progress + "%";
    document.getElementById("sensitivity-status").textContent = data.status_display;
    if (data.finished) { clearInterval(timer); location.reload(); }
  }, 1000);
})();
