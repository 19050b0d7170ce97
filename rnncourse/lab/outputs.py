"""What a notebook saved from the course's JupyterLab keeps of its live widgets: nothing.

A widget output in a notebook file is only a reference (``model_id``) to a model that lived in the
kernel's session. Reopened later, with that session gone, JupyterLab shows "Error displaying widget:
model not found" in its place. So every notebook that ``make lab`` (and ``make edit``) saves goes
through :func:`pre_save_hook`, which replaces each widget output by a one-line note and drops the
notebook's saved widget state: the file on disk never refers to a widget, while the open notebook
keeps its live sliders until it is closed.
"""

from __future__ import annotations

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTE = "(A live widget was here, a slider or a progress bar: run this cell to show it again.)"


def _is_widget(output: dict) -> bool:
    return WIDGET_VIEW in (output.get("data") or {})


def strip_widgets(nb: dict) -> int:
    """Replace every widget output of the notebook ``nb`` (nbformat 4, as a dict) by :data:`NOTE`.

    Consecutive widget outputs of one cell become a single note; an output left empty by a finished
    progress bar (``rnncourse.train.progress_bar`` clears its own) is dropped. The saved widget state
    (``metadata.widgets``) is removed too. Returns the number of widget outputs replaced; ``nb`` is
    changed in place.
    """
    replaced = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("display_data", "execute_result") and not output.get("data"):
                continue                                    # a progress bar that cleared itself
            if not _is_widget(output):
                kept.append(output)
                continue
            replaced += 1
            if kept and kept[-1].get("data", {}).get("text/plain") == NOTE:
                continue
            note = {"output_type": output["output_type"], "data": {"text/plain": NOTE}, "metadata": {}}
            if output["output_type"] == "execute_result":
                note["execution_count"] = output.get("execution_count")
            kept.append(note)
        cell["outputs"] = kept
    nb.get("metadata", {}).pop("widgets", None)
    return replaced


def pre_save_hook(model: dict, **kwargs) -> None:
    """jupyter_server's ``ContentsManager.pre_save_hook``: strip widget outputs from saved notebooks."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip_widgets(model["content"])
