/* Display equations that a phone can read (registered in _config.yml, html_js_files).

MathJax 3 does not break a long display equation over lines, and the theme lets one that is wider than its
column scroll inside it with no sign that there is more: on a phone, a reader saw half an equation. After
MathJax has typeset the page, each display equation (div.math) wider than its column is

- scaled down to the room beside its number, when that keeps it at FLOOR (70 %) of its size or more
  (class "eq-scaled");
- or else given the whole column, its number moved to the line below, and scaled down as far as needed
  if that keeps it at FLOOR or more (classes "eq-wrap eq-scaled");
- or else drawn at FLOOR and left to scroll sideways, with a visible hint under it and shadows at the
  edges that hide more (classes "eq-wrap eq-scroll", book/_static/book.css). Those equations should be
  broken over lines in the source (aligned, split): scripts/wide_equations.py lists them.

Each equation is refitted when its column changes width (a rotated phone, the sidebar hidden, an answer
opened). The natural width is kept in data-natural-width, the room beside the number in data-room; <html data-equations-fitted> says the first pass
is done (the browser tests wait for it).
*/
(() => {
  "use strict";
  const FLOOR = 0.7;
  const HINT = "scroll sideways to see the whole equation \u2192";
  const widths = new WeakMap();

  function fit(div) {
    const box = div.querySelector("mjx-container");
    const math = box && box.querySelector(":scope > mjx-math");
    if (!math) return;
    const column = div.clientWidth;
    if (!column || widths.get(div) === column) return; // hidden (a closed answer), or nothing changed
    widths.set(div, column);
    math.style.fontSize = "";
    div.classList.remove("eq-scaled", "eq-wrap", "eq-scroll");
    box.removeAttribute("tabindex");
    const need = math.getBoundingClientRect().width;
    div.dataset.naturalWidth = String(Math.ceil(need));
    const beside = Math.floor(box.getBoundingClientRect().width); // left of the number, scrollbars included
    div.dataset.room = String(beside);
    if (need <= beside) return;
    const scale = (room) => `${Math.floor((room / need) * 995) / 10}%`;
    if (need * FLOOR <= beside) { // smaller, beside its number
      math.style.fontSize = scale(beside);
      div.classList.add("eq-scaled");
    } else if (need * FLOOR <= column) { // smaller, its number on the line below
      math.style.fontSize = need <= column ? "" : scale(column);
      div.classList.add("eq-wrap", "eq-scaled");
    } else { // at the floor, scrolling
      math.style.fontSize = `${FLOOR * 100}%`;
      div.classList.add("eq-wrap", "eq-scroll");
      div.dataset.hint = HINT;
      box.setAttribute("tabindex", "0"); // scrollable with the keyboard too
    }
  }

  function fitAll() {
    const divs = Array.from(document.querySelectorAll("div.math"));
    divs.forEach(fit);
    if ("ResizeObserver" in window) {
      const observer = new ResizeObserver((entries) => entries.forEach((e) => fit(e.target)));
      divs.forEach((div) => observer.observe(div));
    }
    document.documentElement.dataset.equationsFitted = String(divs.length);
  }

  function whenTypeset(tries) {
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(fitAll);
    } else if (!document.querySelector("div.math")) {
      document.documentElement.dataset.equationsFitted = "0";
    } else if (tries > 0) {
      setTimeout(() => whenTypeset(tries - 1), 100);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => whenTypeset(300));
  } else {
    whenTypeset(300);
  }
})();
