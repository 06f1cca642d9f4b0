// The runs page (templates/analysis/run_list.html): the ticked runs go to the side-by-side table
// as ?runs=1,2. Loaded as a file: the site's Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  const form = document.getElementById("compare-runs");
  if (!form) return;
  form.addEventListener("submit", () => {
    document.getElementById("picked-runs").value = Array.from(document.querySelectorAll(".pick:checked"))
      .map((box) => box.value).join(",");
  });
})();
