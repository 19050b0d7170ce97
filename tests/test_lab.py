"""`make lab`, driven as a student would: the real JupyterLab front end in Debian's headless Chromium.

The module starts what ``make lab`` starts (``python -m rnncourse.lab``: a fresh workspace copied from
chapters/ and exercises/, signed, then JupyterLab with live widgets) on a free port with a token, with
Jupyter's own folders (settings, signatures, runtime) in a temporary directory. Then, through the front
end, a student:

- opens chapter 1 from the file browser: before running it, its stored animation plays (the copy is
  trusted) and the MyST markup is rendered (no raw roles, numbered equations, exercise dropdowns);
  runs it (no error output), drags the live slider (the figure is redrawn), saves, closes it and shuts
  its kernel down, reloads the page and reopens it: no "model not found";
- opens exercise 7 from the file browser, writes the first answer, runs it: ``check("q1")`` reports
  4/4 points and ``check("q2")`` 0/5; saves; the next ``make lab`` keeps the answer.

``git status`` of the project is the same before and after. Every process started here (JupyterLab,
its kernels, Chromium) is stopped by its id. Only for driving it, the test adds
``--LabApp.expose_app_in_browser=True`` (JupyterLab's commands, as its menus run them).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import INSTALL, MISSING, start_chromium

from rnncourse.lab import outputs

pytestmark = pytest.mark.skipif(bool(MISSING), reason=INSTALL)

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "_build" / "screenshots"          # beside those of tests/test_browser.py
CHAPTER = "chapters/01_sequences_and_unfolding.ipynb"
EXERCISE = "exercises/ex07_lstm.ipynb"
SOLUTIONS = ROOT / "exercises" / "solutions" / "ex07_lstm.ipynb"


def git_status() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=all"],
                          capture_output=True, text=True, check=True).stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str, poll: float = 0.2):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Lab:
    def __init__(self, base: Path):
        self.base, self.workspace = base, base / "workspace"
        self.token, self.port = secrets.token_hex(16), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_DATA_DIR=str(base / "data"),
                        JUPYTER_RUNTIME_DIR=str(base / "runtime"), IPYTHONDIR=str(base / "ipython"))
        self.log = base / "jupyterlab.log"
        self.process = None

    def prepare(self) -> str:
        """``make lab``'s first step alone (copy what is new, sign), as a later ``make lab`` runs it."""
        run = subprocess.run([sys.executable, "-m", "rnncourse.lab", "--workspace", str(self.workspace),
                              "--prepare-only"], cwd=ROOT, env=self.env, capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stdout

    def start(self):
        argv = [sys.executable, "-m", "rnncourse.lab", "--workspace", str(self.workspace),
                f"--port={self.port}", "--no-browser", f"--IdentityProvider.token={self.token}",
                "--LabApp.expose_app_in_browser=True"]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)      # its own process group: kernels too
        wait_for(lambda: self.process.poll() is not None or self.api("status") is not None, 90, "JupyterLab to start")
        assert self.process.poll() is None, f"JupyterLab exited:\n{self.log.read_text()[-3000:]}"

    def api(self, endpoint: str):
        """GET ``/api/<endpoint>`` of the server, decoded; None when it does not answer."""
        request = urllib.request.Request(f"{self.url}/api/{endpoint}", headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read())
        except (OSError, ValueError):
            return None

    def stop(self):
        """Shut the server down (it stops its kernels), then end by id whatever it started that is left.

        The kernels run in sessions of their own, so they are found as the server's children first.
        """
        import psutil

        if self.process is None:
            return
        try:
            family = [psutil.Process(self.process.pid), *psutil.Process(self.process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        try:
            request = urllib.request.Request(f"{self.url}/api/shutdown", method="POST", data=b"",
                                             headers={"Authorization": f"token {self.token}"})
            urllib.request.urlopen(request, timeout=10).close()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for process in family:
            try:
                process.terminate()
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(family, timeout=10)
        for process in alive:
            process.kill()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = Lab(tmp_path_factory.mktemp("lab"))
    lab.git_before = git_status()
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def browser(lab, tmp_path_factory):
    """Chromium with JupyterLab loaded (once for the module: each test opens its notebook in it)."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium"), 1400, 1000)
    driver.set_script_timeout(120)
    try:
        open_lab(driver, lab)
        yield driver
    finally:
        driver.quit()


def open_lab(browser, lab):
    browser.get(f"{lab.url}/lab?token={lab.token}")
    wait_for(lambda: browser.execute_script("return !!(window.jupyterapp && window.jupyterapp.shell)"), 60,
             "the JupyterLab page")
    browser.execute_async_script("const done = arguments[arguments.length - 1];"
                                 "window.jupyterapp.restored.then(() => done(true));")


def open_from_file_browser(browser, path: str):
    """Double-click each folder of ``path`` in the file browser, then the notebook; wait until it is ready."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.action_chains import ActionChains

    parts = path.split("/")
    for depth, name in enumerate(parts):
        parent = "/" + "/".join(parts[:depth])

        def item(name=name, parent=parent):
            try:
                for element in browser.find_elements("css selector", ".jp-DirListing-item"):
                    if element.find_element("css selector", ".jp-DirListing-itemText").text == name:
                        return element
            except StaleElementReferenceException:     # the listing changed while it was read
                return None
            # not listed (yet): the file browser may still be restoring its last folder; go to the parent
            browser.execute_script("window.jupyterapp.commands.execute('filebrowser:go-to-path', {path: arguments[0]})",
                                   parent)
            return None

        ActionChains(browser).double_click(wait_for(item, 30, f"{name} in the file browser", poll=1)).perform()
    find = f"""const w = Array.from(window.jupyterapp.shell.widgets('main'))
                   .find(w => w.context && w.context.path === {json.dumps(path)});
               if (!w || !w.context.isReady || !w.sessionContext.session || !w.sessionContext.session.kernel) return false;
               window.__nb = w; return true;"""
    wait_for(lambda: browser.execute_script(find), 60, f"{path} to open with a kernel")
    wait_for(lambda: browser.execute_script(
        "return window.__nb.sessionContext.session.kernel.status === 'idle'"), 60, "the kernel")
    # a click in the notebook, as a student does before typing: it becomes the current document
    browser.execute_script("return window.__nb.content.widgets[0].node").click()


def code_cells(browser) -> list[dict]:
    return browser.execute_script("""return window.__nb.content.widgets.filter(c => c.model.type === 'code')
        .map(c => ({source: c.model.sharedModel.getSource(), outputs: c.model.outputs.toJSON()}))""")


def run_all(browser, timeout=180):
    browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    done = """const w = window.__nb, cells = w.content.widgets.filter(c => c.model.type === 'code');
              return w.sessionContext.session.kernel.status === 'idle' &&
                     cells.every(c => c.model.executionCount !== null && !c.node.classList.contains('jp-mod-pending'))"""
    wait_for(lambda: browser.execute_script(done), timeout, "every cell to run")


def errors_in(cells) -> list[str]:
    found = []
    for cell in cells:
        for out in cell["outputs"]:
            text = "".join(out.get("text", "")) if out["output_type"] == "stream" else ""
            if out["output_type"] == "error" or "Traceback" in text or "Error displaying widget" in json.dumps(out):
                found.append(f"{cell['source'][:60]!r}: {json.dumps(out)[:400]}")
    return found


def save(browser):
    browser.execute_script("return window.__nb.node.querySelector("
                           "'.jp-Toolbar-item[data-jp-item-name=save] jp-button')").click()
    wait_for(lambda: browser.execute_script("return !window.__nb.context.model.dirty"), 30, "the save")


def cell_node(browser, needle: str):
    index = next(i for i, source in enumerate(browser.execute_script(
        "return window.__nb.content.widgets.map(c => c.model.sharedModel.getSource())")) if needle in source)
    browser.execute_async_script("""const done = arguments[arguments.length - 1];
        window.__nb.content.scrollToItem(arguments[0], 'center').then(() => setTimeout(() => done(true), 300));""",
                                 index)
    return browser.execute_script("return window.__nb.content.widgets[arguments[0]].node", index)


def screenshot(browser, name: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SHOTS / f"lab-{name}.png"))


def close_and_shut_down(browser, lab):
    """File > Close and Shut Down Notebook, confirmed; wait until the server runs no kernel."""
    browser.execute_script("window.jupyterapp.commands.execute('notebook:close-and-shutdown')")
    wait_for(lambda: browser.find_elements("css selector", ".jp-Dialog .jp-mod-accept"), 20, "the dialog")
    browser.find_element("css selector", ".jp-Dialog .jp-mod-accept").click()
    wait_for(lambda: lab.api("kernels") == [], 30, "the kernel to shut down")


def markdown(browser, needle: str) -> dict:
    """The rendered form of the markdown cell whose source holds ``needle`` (scrolled into view)."""
    node = cell_node(browser, needle)
    wait_for(lambda: browser.execute_script("return !!arguments[0].querySelector('.myst')", node), 20,
             f"the markdown cell with {needle!r} to render")
    return browser.execute_script("""const n = arguments[0]; return {
        text: n.innerText, katex: n.querySelectorAll('.katex').length,
        links: Array.from(n.querySelectorAll('a')).map(a => a.textContent.trim()),
        closed_dropdowns: Array.from(n.querySelectorAll('details')).filter(d => !d.open).length}""", node)


def test_a_chapter_runs_in_the_lab_with_a_live_slider_and_reopens_cleanly(lab, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains

    open_from_file_browser(browser, CHAPTER)

    # before running: the stored animation plays (its frames are set by the output's script, which
    # JupyterLab runs only in a trusted notebook), and the book's MyST markup is rendered
    stored = cell_node(browser, "explore(")
    frame = wait_for(lambda: browser.execute_script(
        "const i = arguments[0].querySelector('img[id^=_anim_img]'); return i && i.naturalWidth", stored),
        20, "the stored animation's first frame")
    assert frame > 0
    browser.execute_script("arguments[0].querySelector('img[id^=_anim_img]').scrollIntoView({block: 'center'})",
                           stored)
    screenshot(browser, "chapter-stored-animation")
    raw = ("{term}", "{cite}", "{doc}", "{eq}", "{exercise}", "{solution}", "$$", "(eq-ch01-", ":label:")
    recurrence = markdown(browser, "$$ (eq-ch01-recurrence)")
    assert not [r for r in raw if r in recurrence["text"]], recurrence["text"]
    assert recurrence["katex"] >= 3 and "(2)" in recurrence["links"], recurrence       # a numbered equation
    assert "dynamical system" in recurrence["links"], recurrence                      # {term}: a link
    assert "elman1990finding" in recurrence["text"], recurrence                      # {cite}: its key
    onwards = markdown(browser, "[Chapter 4](04_bidirectional_and_deep.ipynb)")    # a link to a notebook
    assert "Chapter 4" in onwards["links"] and "](04_" not in onwards["text"], onwards
    exercises = markdown(browser, "```{solution}")
    assert not [r for r in raw if r in exercises["text"]], exercises["text"]
    assert exercises["closed_dropdowns"] >= 1, exercises                               # answers hidden
    screenshot(browser, "chapter-exercises")

    run_all(browser)
    assert not errors_in(code_cells(browser)), errors_in(code_cells(browser))

    live = cell_node(browser, "explore(")
    figure = "const i = arguments[0].querySelector('.widget-output img'); return i ? i.src : null"
    before = wait_for(lambda: browser.execute_script(figure, live), 30, "the live slider's figure")
    handle = live.find_element("css selector", ".widget-slider .noUi-handle")
    ActionChains(browser).click_and_hold(handle).move_by_offset(80, 0).release().perform()
    wait_for(lambda: browser.execute_script(figure, live) not in (None, before), 30, "the figure to redraw")
    screenshot(browser, "chapter-live-slider")
    save(browser)

    saved = json.loads((lab.workspace / CHAPTER).read_text())
    assert outputs.WIDGET_VIEW not in json.dumps(saved) and "widgets" not in saved["metadata"]
    assert outputs.NOTE in json.dumps(saved)

    # quit and come back: close the notebook and shut its kernel down, load the page again, reopen
    close_and_shut_down(browser, lab)
    open_lab(browser, lab)
    open_from_file_browser(browser, CHAPTER)
    reopened = cell_node(browser, "explore(")
    wait_for(lambda: outputs.NOTE in reopened.text, 20, "the note where the live slider was")
    screenshot(browser, "chapter-reopened")
    page = browser.execute_script("return document.body.innerText")
    assert "model not found" not in page and "Error displaying widget" not in page
    assert git_status() == lab.git_before, "running and saving a chapter changed the project's files"


def test_an_exercise_is_checked_in_the_lab_and_its_answer_survives_the_next_make_lab(lab, browser):
    solution = json.loads(SOLUTIONS.read_text())
    answer = next("".join(c["source"]) for c in solution["cells"] if "def lstm_cell_forward" in "".join(c["source"]))
    open_from_file_browser(browser, EXERCISE)
    browser.execute_script("""const cell = window.__nb.content.widgets.find(
                                  c => c.model.sharedModel.getSource().includes('def lstm_cell_forward'));
                              cell.model.sharedModel.setSource(arguments[0]);""", answer)
    run_all(browser)
    cells = code_cells(browser)
    assert not errors_in(cells), errors_in(cells)
    reports = {c["source"]: "".join("".join(o.get("text", "")) for o in c["outputs"])
               for c in cells if c["source"].startswith("check(")}
    assert reports['check("q1")'].startswith("q1 lstm_cell_forward: 4/4 points"), reports
    assert reports['check("q2")'].startswith("q2 lstm_cell_backward: 0/5 points"), reports
    cell_node(browser, 'check("q1")')
    screenshot(browser, "exercise-checked")
    save(browser)

    copy = lab.workspace / EXERCISE
    assert "np.split(a, 4" in copy.read_text()
    saved = copy.read_bytes()
    lab.prepare()                                                  # the next make lab
    assert copy.read_bytes() == saved, "the next make lab overwrote the student's answer"
    assert git_status() == lab.git_before, "running and saving an exercise changed the project's files"
