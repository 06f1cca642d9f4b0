// Machine suggestions, fetched after every save: the server answers only for indicators this
// coder has answered (unless the treaty shows suggestions first), so none is seen before.
(function () {
  const source = document.getElementById("suggestion-source");
  if (!source) return;
  const url = source.dataset.url;
  async function show() {
    let data;
    try { data = await (await fetch(url)).json(); } catch (error) { return; }
    Object.entries(data.suggestions || {}).forEach(([code, s]) => {
      const card = document.querySelector('.ind[data-code="' + code + '"]'); if (!card) return;
      let line = card.querySelector(".machine-suggestion");
      if (!line) { line = document.createElement("div"); line.className = "machine-suggestion muted"; line.style.fontSize = ".85rem"; card.querySelector(".values").after(line); }
      line.textContent = "";
      const text = document.createElement("span"); text.textContent = s.text; line.appendChild(text);
      if (s.url) { const a = document.createElement("a"); a.href = "#art-" + s.article; a.textContent = " ↗"; a.title = source.dataset.goTitle; line.appendChild(a); }
      if (s.sentence) { const q = document.createElement("q"); q.className = "cited-sentence"; q.textContent = s.sentence; q.title = source.dataset.sentenceTitle || ""; line.appendChild(document.createElement("br")); line.appendChild(q); }
    });
  }
  document.addEventListener("coding:saved", show);
  show();
})();
