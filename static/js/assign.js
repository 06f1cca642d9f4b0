// Assign agreements (templates/coding/assign.html): "tick all shown" ticks every listed agreement.
document.getElementById("tick-all").addEventListener("change", (e) => {
  document.querySelectorAll("input[name=agreements]").forEach((box) => { box.checked = e.target.checked; });
});
