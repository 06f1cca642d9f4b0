// Assign agreements (templates/coding/assign.html): "tick all shown" ticks every listed agreement.
document.getElementById("tick-all").addEventListener("change", (e) => {
  document.querySelectorAll("input[name=agreements]").forEach((box) => { box.checked = e.target.checked; });
});

// The double-coding planner (templates/coding/_sample_plan.html): says whether the sample size typed
// reaches the numbers of treaties the server computed; its sentences come translated in data-text-*.
(() => {
  const plan = document.getElementById("sample-plan");
  const input = document.getElementById("sample-size");
  const status = document.getElementById("sample-plan-status");
  if (!plan || !input || !status) return;
  // data-*-667 is not in dataset as *667 (a hyphen before a digit stays): attributes are read by name
  const needed667 = parseInt(plan.getAttribute("data-needed-667"), 10);
  const needed800 = parseInt(plan.getAttribute("data-needed-800"), 10);
  const update = () => {
    const size = parseInt(input.value, 10);
    if (!Number.isFinite(size) || size < 1) { status.textContent = ""; status.className = ""; return; }
    const reaches667 = Number.isFinite(needed667) && size >= needed667;
    const reaches800 = Number.isFinite(needed800) && size >= needed800;
    const text = reaches800 && reaches667 ? "data-text-both" : reaches667 ? "data-text-667" : "data-text-none";
    status.textContent = plan.getAttribute(text);
    status.className = reaches667 ? "plan-enough" : "plan-too-few warning";
  };
  input.addEventListener("input", update);
  update();
})();
