/* Search results without raw LaTeX (registered in _config.yml, html_js_files).

Sphinx's search page shows, under each result, a snippet of the page's text; the equations in that text
are still MathJax's source ("\(h_t = \tanh(W h_{t-1})\)"), since MathJax typesets them only in the
browser. This wraps Sphinx's Search.htmlToText so that the math in a snippet reads as plain text
(h_t = tanh(W h_{t-1}) becomes "h_t = tanh(W h_t-1)"): delimiters dropped, Greek letters and common
symbols as characters, other commands as their names, braces removed.
*/
(() => {
  "use strict";
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", lambda: "λ", mu: "μ", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", psi: "ψ",
    omega: "ω", Delta: "Δ", Sigma: "Σ", nabla: "∇", partial: "∂", times: "×", cdot: "·",
    odot: "⊙", infty: "∞", approx: "≈", leq: "≤", geq: "≥", le: "≤", ge: "≥", to: "→",
    rightarrow: "→", in: "∈", sum: "∑", prod: "∏", top: "ᵀ", ell: "ℓ", lVert: "‖", rVert: "‖",
    Vert: "‖", "|": "‖", dots: "…", ldots: "…", cdots: "⋯", quad: " ", qquad: " ",
  };
  const DROP = /\\(?:left|right|big|Big|bigg|Bigg|mathrm|mathbf|mathit|mathcal|operatorname|text|boldsymbol|displaystyle|tag|label|begin|end)\b/g;

  function texToText(tex) {
    return tex
      .replace(/\\(?:begin|end)\{[^}]*\}/g, " ")
      .replace(DROP, "")
      .replace(/\\([A-Za-z]+|\|)\s?/g, (_, name) => (name in SYMBOLS ? SYMBOLS[name] : name + " "))
      .replace(/\\[,;:! ]/g, " ")
      .replace(/\\\\|&/g, " ")
      .replace(/[{}]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  function plainMath(text) {
    return text
      .replace(/\\\[([\s\S]*?)\\\]/g, (_, tex) => ` ${texToText(tex)} `)
      .replace(/\$\$([\s\S]*?)\$\$/g, (_, tex) => ` ${texToText(tex)} `)
      .replace(/\\\(([\s\S]*?)\\\)/g, (_, tex) => texToText(tex));
  }

  function wrap() {
    // searchtools.js declares "const Search": a global binding, not a property of window
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function" || Search.htmlToText.plainMath) return;
    const original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      return plainMath(original.call(this, htmlString, anchor));
    };
    Search.htmlToText.plainMath = true;
  }

  window.rnncoursePlainMath = plainMath; // for the browser tests
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wrap);
  else wrap();
})();
