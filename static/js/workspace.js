// The coding workspace (templates/coding/workspace.html): answers saved as they are made (one PUT
// at a time, with the coding's revision), evidence cited from the treaty text and highlighted,
// keyboard shortcuts, and answers that could not be saved kept in this browser.
(function () {
  const payload = JSON.parse(document.getElementById("coding-payload").textContent);
  const candidates = JSON.parse(document.getElementById("coding-candidates").textContent);
  // Whether this coder may edit, and the page's words in her language: data- attributes of
  // #workspace-text (templates/coding/workspace.html).
  const text = document.getElementById("workspace-text").dataset;
  const editable = text.editable === "1";
  const T = {
    saving: text.saving, saved: text.saved, failed: text.failed, candidates: text.candidates,
    pickArticle: text.pickArticle, confirmSubmit: text.confirmSubmit, remove: text.remove, offline: text.offline,
  };
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1];
  const cards = Array.from(document.querySelectorAll(".ind"));
  const state = {revision: payload.revision, answers: payload.answers, lastArticle: null, timer: null, blocked: false, inflight: null, dirty: false};
  const draftKey = "coding-draft-" + payload.id;
  cards.forEach((card) => { const c = card.dataset.code; state.answers[c] = state.answers[c] || {value: null, note: "", not_found: false, searched_chapters: [], evidence: []}; });

  function article(el) { return el && el.closest ? el.closest("article.art") : null; }
  function jumpTo(id) {
    const el = document.getElementById("art-" + id); if (!el) return;
    el.scrollIntoView({block: "start"}); el.classList.add("flash"); setTimeout(() => el.classList.remove("flash"), 1200);
  }
  function renderEvidence(card) {
    const code = card.dataset.code, box = card.querySelector("[data-role=evidence]");
    box.innerHTML = "";
    state.answers[code].evidence.forEach((ev, index) => {
      const chip = document.createElement("span"); chip.className = "chip";
      const link = document.createElement("a"); link.href = "#art-" + ev.article; link.title = ev.article;
      link.textContent = labelOf(ev.article) + (ev.quote ? " “" + ev.quote.slice(0, 40) + (ev.quote.length > 40 ? "…" : "") + "”" : "");
      link.addEventListener("click", (e) => { e.preventDefault(); jumpTo(ev.article); });
      chip.appendChild(link);
      if (editable) {
        const rm = document.createElement("button"); rm.type = "button"; rm.textContent = "×"; rm.title = T.remove;
        rm.addEventListener("click", () => { state.answers[code].evidence.splice(index, 1); renderEvidence(card); schedule(); });
        chip.appendChild(rm);
      }
      box.appendChild(chip);
    });
    document.querySelectorAll("article.art.cited").forEach((a) => a.classList.remove("cited"));
    Object.values(state.answers).forEach((a) => a.evidence.forEach((ev) => document.getElementById("art-" + ev.article)?.classList.add("cited")));
    highlight();
  }
  // "Art. 4.3 Customs Procedures": how the treaty names the article (the identifier is the key).
  function labelOf(id) { return document.getElementById("art-" + id)?.dataset.label || "art-" + id; }
  // Every cited passage (evidence with start/end, in UTF-16 units like JS strings) is marked in
  // its article's text. Marks are rebuilt from the plain text each time evidence changes, so a
  // removed citation leaves no trace; the text itself (and so every offset) never changes.
  const plainText = new Map();
  function highlight() {
    const spans = {};
    Object.entries(state.answers).forEach(([code, answer]) => (answer.evidence || []).forEach((ev) => {
      if (ev.start === null || ev.start === undefined || ev.end === null || ev.end === undefined || ev.end <= ev.start) return;
      (spans[ev.article] = spans[ev.article] || []).push({start: ev.start, end: ev.end, code: code});
    }));
    document.querySelectorAll("#treaty .body[data-highlighted]").forEach((body) => {
      if (!spans[body.closest("article.art").dataset.article]) { body.textContent = plainText.get(body); delete body.dataset.highlighted; }
    });
    Object.entries(spans).forEach(([id, list]) => {
      const body = document.querySelector("#art-" + CSS.escape(id) + " .body"); if (!body) return;
      if (!plainText.has(body)) plainText.set(body, body.textContent);
      const text = plainText.get(body);
      const cuts = Array.from(new Set([0, text.length, ...list.flatMap((s) => [Math.min(s.start, text.length), Math.min(s.end, text.length)])])).sort((a, b) => a - b);
      const pieces = document.createDocumentFragment();
      for (let i = 0; i + 1 < cuts.length; i++) {
        const piece = text.slice(cuts[i], cuts[i + 1]);
        const codes = Array.from(new Set(list.filter((s) => s.start <= cuts[i] && s.end >= cuts[i + 1]).map((s) => s.code)));
        if (!codes.length) { pieces.appendChild(document.createTextNode(piece)); continue; }
        const mark = document.createElement("mark"); mark.className = "cited-passage"; mark.dataset.codes = codes.join(" ");
        mark.title = codes.join(", "); mark.textContent = piece; pieces.appendChild(mark);
      }
      body.replaceChildren(pieces); body.dataset.highlighted = "1";
    });
    focusMarks();
  }
  function focusMarks() {
    const code = cards.find((c) => c.classList.contains("focused"))?.dataset.code;
    document.querySelectorAll("#treaty mark.cited-passage").forEach((m) => m.classList.toggle("focus", !!code && m.dataset.codes.split(" ").includes(code)));
  }
  function focusCard(card) {
    cards.forEach((c) => c.classList.remove("focused")); card.classList.add("focused"); focusMarks();
    document.querySelectorAll("article.art.candidate").forEach((a) => a.classList.remove("candidate"));
    const ids = candidates[card.dataset.code] || [], box = card.querySelector("[data-role=candidates]");
    box.replaceChildren();
    if (ids.length) { const label = document.createElement("span"); label.className = "muted"; label.textContent = T.candidates + ":"; box.append(label, " "); }
    ids.forEach((id) => {
      document.getElementById("art-" + id)?.classList.add("candidate");
      const a = document.createElement("a"); a.href = "#art-" + id; a.textContent = labelOf(id); a.title = id;
      a.addEventListener("click", (e) => { e.preventDefault(); jumpTo(id); }); box.appendChild(a);
    });
  }
  function cite(card) {
    const sel = window.getSelection(); let ev = null;
    if (sel && !sel.isCollapsed && sel.rangeCount) {
      const range = sel.getRangeAt(0), art = article(range.startContainer.parentElement);
      const body = art && art.querySelector(".body");
      if (body && body.contains(range.endContainer)) {
        const before = document.createRange(); before.setStart(body, 0); before.setEnd(range.startContainer, range.startOffset);
        const start = before.toString().length, quote = range.toString();
        ev = {article: art.dataset.article, start: start, end: start + quote.length, quote: quote};
      }
    }
    if (!ev && state.lastArticle) ev = {article: state.lastArticle, start: null, end: null, quote: ""};
    if (!ev) { setStatus(T.pickArticle, "error"); return; }
    state.answers[card.dataset.code].evidence.push(ev); renderEvidence(card); schedule();
  }
  function setStatus(text, cls) { const s = document.getElementById("save-status"); s.textContent = text; s.className = cls || ""; }
  function progress() {
    const n = Object.values(state.answers).filter((a) => a.value !== null && a.value !== undefined).length;
    document.getElementById("progress-text").textContent = n + " / " + cards.length;
  }
  function schedule() {
    if (!editable || state.blocked) return;
    progress(); setStatus(T.saving); clearTimeout(state.timer);
    state.timer = setTimeout(() => { state.timer = null; save(); }, 600);
  }
  // One PUT at a time: an edit made while a save is on its way is sent after it, with the
  // revision that save returned. Two overlapping PUTs from this tab would carry the same
  // revision and the second would be refused as a conflict with ourselves.
  function save() {
    if (state.inflight) { state.dirty = true; return state.inflight; }
    state.inflight = (async () => {
      let ok;
      do { state.dirty = false; ok = await putOnce(); } while (ok && state.dirty);
      return ok;
    })().finally(() => { state.inflight = null; if (state.dirty && !state.blocked) save(); });
    return state.inflight;
  }
  async function putOnce() {
    let response, data;
    try {
      response = await fetch("/api/codings/" + payload.id + "/", {method: "PUT", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify({revision: state.revision, answers: state.answers})});
      data = await response.json();
    } catch (error) { setStatus(T.failed + ": " + T.offline, "error"); keepDraft(); return false; }
    if (response.ok) {
      state.revision = data.revision;
      // "saved" only when nothing newer is waiting to be sent
      if (!state.dirty && !state.timer) { localStorage.removeItem(draftKey); setStatus(T.saved, "saved"); }
      document.dispatchEvent(new CustomEvent("coding:saved"));  // machine suggestions of answered indicators
      return true;
    }
    if (response.status === 409) {
      state.blocked = true; keepDraft();
      const box = document.getElementById("conflict"); box.textContent = data.detail; box.style.display = "block";
    }
    // a stale save's reason is in the conflict box already: say it once
    setStatus(response.status === 409 ? T.failed : T.failed + ": " + (data.detail || response.status), "error"); return false;
  }
  // Answers that could not be saved survive a reload: kept in this browser until re-applied or discarded.
  function keepDraft() { localStorage.setItem(draftKey, JSON.stringify({answers: state.answers, revision: state.revision})); }
  function applyAnswers(answers) {
    cards.forEach((card) => {
      const code = card.dataset.code, answer = answers[code]; if (!answer) return;
      Object.assign(state.answers[code], answer);
      card.querySelectorAll("input[type=radio]").forEach((r) => { r.checked = answer.value !== null && parseInt(r.value, 10) === answer.value; });
      card.querySelector("[data-role=note]").value = answer.note || "";
      const nf = card.querySelector("[data-role=not-found]"), searched = card.querySelector("[data-role=searched]");
      nf.checked = !!answer.not_found; searched.style.display = nf.checked ? "block" : "none";
      Array.from(searched.options).forEach((o) => { o.selected = (answer.searched_chapters || []).includes(o.value); });
      renderEvidence(card);
    });
    progress();
  }
  function offerDraft() {
    const stored = localStorage.getItem(draftKey); if (!stored || !editable) return;
    const box = document.getElementById("draft-restore"); box.style.display = "block";
    box.querySelector("[data-role=reapply]").addEventListener("click", () => { applyAnswers(JSON.parse(stored).answers); box.style.display = "none"; schedule(); });
    box.querySelector("[data-role=discard]").addEventListener("click", () => { localStorage.removeItem(draftKey); box.style.display = "none"; });
  }
  async function submit() {
    if (!confirm(T.confirmSubmit)) return;
    clearTimeout(state.timer); state.timer = null; if (!(await save())) return;
    const response = await fetch("/api/codings/" + payload.id + "/submit/", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({revision: state.revision})});
    const data = await response.json();
    if (response.ok) { location.reload(); } else { setStatus(data.detail, "error"); }
  }
  cards.forEach((card) => {
    const code = card.dataset.code, answer = state.answers[code];
    renderEvidence(card);
    card.addEventListener("focusin", () => focusCard(card)); card.addEventListener("click", () => focusCard(card));
    card.querySelectorAll("input[type=radio]").forEach((r) => r.addEventListener("change", () => { answer.value = parseInt(r.value, 10); schedule(); }));
    card.querySelector("[data-role=note]").addEventListener("input", (e) => { answer.note = e.target.value; schedule(); });
    const nf = card.querySelector("[data-role=not-found]"), searched = card.querySelector("[data-role=searched]");
    searched.style.display = nf.checked ? "block" : "none";
    nf.addEventListener("change", () => { answer.not_found = nf.checked; searched.style.display = nf.checked ? "block" : "none"; schedule(); });
    searched.addEventListener("change", () => { answer.searched_chapters = Array.from(searched.selectedOptions).map((o) => o.value); schedule(); });
    card.querySelector("[data-role=cite]")?.addEventListener("click", (e) => { e.stopPropagation(); cite(card); });
  });
  document.getElementById("treaty").addEventListener("mouseup", (e) => { const a = article(e.target); if (a) state.lastArticle = a.dataset.article; });
  document.getElementById("submit-coding")?.addEventListener("click", submit);
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("textarea, select, input[type=text], input[type=search]")) return;
    const current = cards.findIndex((c) => c.classList.contains("focused"));
    if (e.key === "j" || e.key === "k") {
      const next = cards[Math.min(cards.length - 1, Math.max(0, current + (e.key === "j" ? 1 : -1)))];
      if (next) { next.focus(); next.scrollIntoView({block: "nearest"}); } e.preventDefault();
    } else if (/^[0-9]$/.test(e.key) && current >= 0 && editable) {
      const radio = cards[current].querySelector("input[type=radio][value='" + e.key + "']");
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change")); }
    } else if (e.key === "e" && current >= 0 && editable) { cite(cards[current]); }
    else if (e.key === "Enter" && e.ctrlKey && editable) { submit(); }
  });
  if (cards.length) focusCard(cards[0]);
  offerDraft();
})();
