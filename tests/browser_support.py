"""Debian's headless Chromium driven by selenium, as tests/test_browser.py and tests/test_lab.py use it.

``make test`` installs chromium and chromium-driver with apt when it runs as root
(scripts/ensure_browser.sh); without them the browser tests are skipped with :data:`INSTALL`.

Also used by scripts/wide_equations.py and scripts/wide_code.py: :func:`serve` (a directory over HTTP on
127.0.0.1), :func:`load` (open a page and wait until MathJax has typeset it and book/_static/equations.js
has fitted its display equations), :func:`toc_pages` (the pages of the book in reading order).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
MISSING = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
INSTALL = ("BROWSER TESTS SKIPPED: Debian's Chromium and ChromeDriver are missing "
           f"({', '.join(MISSING)}). Install them with: sudo apt-get install chromium chromium-driver")


def start_chromium(user_data_dir: Path, width: int = 1280, height: int = 900):
    """A headless Chromium (selenium ``webdriver.Chrome``) with a fresh profile in ``user_data_dir``.

    The flags keep Chromium from reaching out to Google's hosts on a closed network; ``--no-sandbox``
    lets it run as root. The caller ends it with ``driver.quit()``.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 f"--user-data-dir={user_data_dir}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def load(driver, url: str) -> list[dict]:
    """Open ``url`` and wait until MathJax (if the page uses it) has typeset it and the book's
    equations.js (if loaded) has fitted its display equations; return the console errors logged."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    driver.set_script_timeout(60)
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const fitted = () => !document.querySelector('script[src*="equations.js"]')
            || document.documentElement.dataset.equationsFitted !== undefined;
        const wait = () => {
            if (document.readyState !== 'complete') return setTimeout(wait, 50);
            const mj = window.MathJax && MathJax.startup && MathJax.startup.promise;
            (mj ? MathJax.startup.promise : Promise.resolve()).then(function again() {
                if (fitted()) done(true); else setTimeout(again, 50);
            }, () => done(false));
        };
        wait();""")
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def toc_pages(root: Path) -> list[str]:
    """Every document of ``root``/book/_toc.yml, in reading order, as paths of HTML pages."""
    import yaml

    toc = yaml.safe_load((root / "book" / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(page).with_suffix(".html")) for page in pages]


# Every display equation of the page once equations.js has fitted it: its id (the label), number, natural
# width, the room beside its number, the column's width, how it was fitted ("" fits as it is, "scaled",
# "wrap" number below, "scroll"), whether it still overflows (scrolls inside its column), its TeX.
EQUATIONS_JS = """
const items = div => {
  try { const found = MathJax.startup.document.getMathItemsWithin(div); return found.length ? found[0].math : ''; }
  catch (e) { return ''; }
};
return Array.from(document.querySelectorAll('div.math')).map(div => {
  const box = div.querySelector('mjx-container'), math = box && box.querySelector(':scope > mjx-math');
  const number = div.querySelector('.eqno');
  const open = div.getBoundingClientRect().width > 0;
  return {id: div.id, number: number ? number.textContent.replace('#', '').trim() : '',
          natural: +(div.dataset.naturalWidth || 0), room: +(div.dataset.room || 0), column: div.clientWidth,
          mode: ['eq-scroll', 'eq-wrap', 'eq-scaled'].filter(c => div.classList.contains(c)).join(' '),
          shown: open, overflow: !!(open && math && box.scrollWidth > box.clientWidth + 1),
          tex: items(div)};
});
"""

# Every code cell and output block of the page that scrolls sideways: which cell of the page (its
# index among the notebook cells), whether input or output, its width and the width its text needs,
# the longest line and its length in characters, and how many characters fit.
BLOCKS_JS = """
const cells = Array.from(document.querySelectorAll('div.cell'));
const out = [];
document.querySelectorAll('div.cell div.cell_input pre, div.cell div.cell_output pre').forEach(pre => {
  if (pre.scrollWidth <= pre.clientWidth + 1 || pre.clientWidth === 0) return;
  const lines = pre.textContent.replace(/\\n$/, '').split('\\n');
  const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
  const style = getComputedStyle(pre);
  const probe = document.createElement('span');
  probe.textContent = 'x'.repeat(100);
  probe.style.font = style.font;
  probe.style.visibility = 'hidden';
  pre.appendChild(probe);
  const charWidth = probe.getBoundingClientRect().width / 100;
  probe.remove();
  const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  out.push({cell: cells.indexOf(pre.closest('div.cell')),
            part: pre.closest('div.cell_input') ? 'code' : 'output',
            width: pre.clientWidth, needs: pre.scrollWidth, longest: longest,
            length: longest.length, fits: Math.floor(inner / charWidth)});
});
return out;
"""


# Open every hidden answer (sphinx-togglebutton) and every <details>, then wait for the equations inside
# them to be fitted (equations.js refits on a size change); an async script.
OPEN_ALL_JS = """
const done = arguments[arguments.length - 1];
document.querySelectorAll('.admonition.toggle-hidden > .admonition-title').forEach(t => t.click());
document.querySelectorAll('details').forEach(d => { d.open = true; });
requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 150)));
"""


def measure_pages(html: Path, pages: list[str], width: int, height: int, script: str,
                  open_all: bool = False) -> dict[str, object]:
    """page -> what ``script`` returns on it, for every page of the book in ``html`` opened at
    ``width`` x ``height`` (with the hidden answers open first when ``open_all``); for the scripts."""
    found = {}
    with serve(html) as site, tempfile.TemporaryDirectory() as profile:
        driver = start_chromium(Path(profile), width, height)
        driver.set_window_size(width, height)     # the --window-size flag alone gives at least 500 px
        try:
            for page in pages:
                load(driver, f"{site}/{page}")
                if open_all:
                    driver.execute_async_script(OPEN_ALL_JS)
                found[page] = driver.execute_script(script)
        finally:
            driver.quit()
    return found


def book_arguments(parser, argv, root: Path):
    """The scripts' arguments, with ``--html`` (the built book, default ``root``/_build/html); exits
    with status 2 and the reason when there is no browser or no built book."""
    parser.add_argument("--html", type=Path, default=root / "_build" / "html", help="the built book")
    args = parser.parse_args(argv)
    if MISSING:
        parser.exit(2, INSTALL + "\n")
    if not (args.html / "index.html").exists():
        parser.exit(2, f"{args.html / 'index.html'} is missing: build the book first (make book)\n")
    return args
