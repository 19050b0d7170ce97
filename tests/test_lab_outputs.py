"""No widget outputs left in saved notebooks: the lab's save hook, the progress bar, and `make execute`.

A widget output in a file refers to a model of a kernel session that is gone when the notebook is
reopened ("Error displaying widget: model not found"). JupyterLab started by ``make lab`` saves through
rnncourse.lab.outputs.pre_save_hook; a finished progress bar empties its own output; ``make execute``
forces the widget switches off, so stored notebooks never hold a widget whatever the shell has set.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import nbformat
import pytest

from rnncourse.lab.outputs import NOTE, WIDGET_VIEW, pre_save_hook, strip_widgets

ROOT = Path(__file__).resolve().parents[1]


def widget_output(kind="display_data", model="abc"):
    out = {"output_type": kind, "metadata": {},
           "data": {WIDGET_VIEW: {"model_id": model, "version_major": 2, "version_minor": 0},
                    "text/plain": "interactive(children=(SelectionSlider(...), Output()))"}}
    if kind == "execute_result":
        out["execution_count"] = 7
    return nbformat.from_dict(out)


def saved_by_lab():
    nb = nbformat.v4.new_notebook()
    slider = nbformat.v4.new_code_cell("explore(...)")
    slider.outputs = [widget_output("execute_result")]
    training = nbformat.v4.new_code_cell("train(...)")
    training.outputs = [nbformat.v4.new_output("stream", name="stdout", text="start\n"),
                        nbformat.v4.new_output("display_data", data={}),                # finished bar
                        widget_output(model="bar1"), widget_output(model="bar2"),        # bars still live
                        nbformat.v4.new_output("stream", name="stdout", text="train: 5 steps\n")]
    plain = nbformat.v4.new_code_cell("1 + 1")
    plain.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=3)]
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), slider, training, plain]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return json.loads(json.dumps(nb))          # plain dicts, as the front end sends them


def test_strip_widgets_leaves_a_note_where_a_widget_was_and_no_widget_anywhere():
    nb = saved_by_lab()
    assert strip_widgets(nb) == 3
    slider, training, plain = (c["outputs"] for c in nb["cells"][1:])
    assert slider == [{"output_type": "execute_result", "data": {"text/plain": NOTE}, "metadata": {},
                       "execution_count": 7}]
    assert [o.get("text") or o["data"]["text/plain"] for o in training] == ["start\n", NOTE, "train: 5 steps\n"]
    assert plain[0]["data"] == {"text/plain": "2"}
    assert "widgets" not in nb["metadata"]
    assert WIDGET_VIEW not in json.dumps(nb)
    nbformat.validate(nbformat.from_dict(nb))


def test_pre_save_hook_changes_notebooks_only():
    model = {"type": "notebook", "content": saved_by_lab()}
    pre_save_hook(model=model, path="chapters/x.ipynb", contents_manager=None)
    assert WIDGET_VIEW not in json.dumps(model)
    text = {"type": "file", "format": "text", "content": WIDGET_VIEW}
    pre_save_hook(model=text, path="notes.txt", contents_manager=None)
    assert text["content"] == WIDGET_VIEW


# A slider and a progress bar, as chapters use them.
PROBE = ["from rnncourse.interactive import explore\n"
         "explore(lambda ax, v: ax.plot([0, v]), [1.0, 2.0], label='v')",
         "from rnncourse.train import progress_bar\n"
         "for _ in progress_bar(range(3), desc='probe'):\n    pass\nprint('done')"]


def probe_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in PROBE]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_a_finished_progress_bar_leaves_no_widget_in_the_notebook(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("RNNCOURSE_PROGRESS", "1")               # what make lab sets
    monkeypatch.setenv("RNNCOURSE_WIDGETS", "0")
    nb = nbformat.read(probe_notebook(tmp_path / "probe.ipynb"), as_version=4)
    NotebookClient(nb, timeout=120, store_widget_state=False).execute()
    bar_outputs = nb.cells[1].outputs
    assert WIDGET_VIEW not in json.dumps(bar_outputs), bar_outputs
    assert bar_outputs[-1]["text"] == "done\n"
    assert any(o["output_type"] == "display_data" for o in bar_outputs), "the bar was never shown"


def test_make_execute_stores_no_widget_even_from_a_lab_terminal(tmp_path):
    path = probe_notebook(tmp_path / "probe.ipynb")
    env = dict(os.environ, RNNCOURSE_WIDGETS="1", RNNCOURSE_PROGRESS="1")   # a terminal inside make lab
    env.pop("MAKEFLAGS", None)
    run = subprocess.run(["make", "-s", "-C", str(ROOT), "execute", f"NOTEBOOKS={path}"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    nb = json.loads(path.read_text())
    assert WIDGET_VIEW not in json.dumps(nb) and "widgets" not in nb["metadata"]
    slider, bar = (c["outputs"] for c in nb["cells"])
    assert "anim-slider" in "".join(slider[0]["data"]["text/html"]), "expected the embedded animation"
    assert [o["output_type"] for o in bar] == ["stream"] and "".join(bar[0]["text"]) == "done\n"
