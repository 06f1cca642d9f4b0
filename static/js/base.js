// Behaviour every page shares, wired by data- attributes (no inline handlers: the
// Content-Security-Policy allows scripts from files only, config/settings/base.py).
(function () {
  // An open menu of the top bar closes on a click elsewhere or Escape.
  document.addEventListener("click", (e) => document.querySelectorAll("details.menu[open]").forEach((m) => { if (!m.contains(e.target)) m.open = false; }));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") document.querySelectorAll("details.menu[open]").forEach((m) => { m.open = false; }); });

  // <select data-submit-on-change>: choosing an option submits its form (language, codebook version).
  document.querySelectorAll("[data-submit-on-change]").forEach((el) => el.addEventListener("change", () => el.form.submit()));

  // <button data-print>: the browser's print dialogue.
  document.querySelectorAll("[data-print]").forEach((el) => el.addEventListener("click", () => window.print()));

  // <tr data-job-status-url data-status>: a queued or running job (text import, pre-coding,
  // retraining the pre-coder) is polled (the one job-status payload, jobs/selectors.py); its
  // status, progress and message (or why it waits) are shown, and the page reloads once it has
  // ended so that its result shows.
  const ended = ["DONE", "FAILED", "CANCELLED"];
  document.querySelectorAll('tr[data-job-status-url][data-status="QUEUED"], tr[data-job-status-url][data-status="RUNNING"]').forEach((row) => {
    const timer = setInterval(async () => {
      let data;
      try { data = await (await fetch(row.dataset.jobStatusUrl)).json(); } catch (error) { return; }
      row.querySelector(".job-status").textContent = data.status_display;
      const bar = row.querySelector("progress");
      if (bar && data.progress !== undefined) bar.value = data.progress;
      const message = row.querySelector(".job-message");
      if (message) message.textContent = data.waiting_reason || data.message || "";
      if (ended.includes(data.status)) { clearInterval(timer); location.reload(); }
    }, 1500);
  });
})();
