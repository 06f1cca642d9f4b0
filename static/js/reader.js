// The treaty reader (templates/coding/agreement_detail.html). Keyboard: "/" focuses the search
// box, "n" / "N" go to the next / previous search hit. Running text imports are polled by base.js.
(function () {
  const hits = Array.from(document.querySelectorAll("mark.hit"));
  let current = -1;
  function go(step) {
    if (!hits.length) return;
    if (current >= 0) hits[current].classList.remove("current");
    current = (current + step + hits.length) % hits.length;
    hits[current].classList.add("current");
    hits[current].scrollIntoView({block: "center"});
  }
  const next = document.getElementById("next-hit");
  if (next) next.addEventListener("click", () => go(1));
  document.addEventListener("keydown", (event) => {
    if (event.target.matches("input, textarea, select")) return;
    if (event.key === "/") { event.preventDefault(); document.getElementById("treaty-search")?.focus(); }
    else if (event.key === "n") go(1);
    else if (event.key === "N") go(-1);
  });
  if (hits.length && !location.hash) go(1);
})();
