// Adjudication (templates/coding/adjudication_detail.html): show the passages cited for one
// indicator only (the others lose their colour).
document.getElementById("passage-filter")?.addEventListener("change", (event) => {
  const code = event.target.value;
  document.querySelectorAll("#passages mark.passage").forEach((mark) => {
    mark.classList.toggle("dim", !!code && !mark.dataset.codes.split(" ").includes(code));
  });
  document.querySelectorAll("#passages article").forEach((article) => {
    article.hidden = !!code && !article.dataset.codes.split(" ").includes(code);
  });
});
