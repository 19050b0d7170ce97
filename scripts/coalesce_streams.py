"""Merge consecutive stream outputs of a cell (stdout with stdout, stderr with stderr), in place.

A kernel may send one print's text in several messages (a line, then its newline), and nbconvert
stores each as its own output: the book then shows several boxes, one of them blank. `make execute`
runs this after executing the notebooks; nbconvert's own CoalesceStreamsPreprocessor runs before the
execution, too early to help.

    python scripts/coalesce_streams.py chapters/*.ipynb exercises/solutions/*.ipynb
"""

import sys

import nbformat


def coalesce(cell) -> bool:
    merged, changed = [], False
    for out in cell.get("outputs", []):
        if (out["output_type"] == "stream" and merged and merged[-1]["output_type"] == "stream"
                and merged[-1]["name"] == out["name"]):
            merged[-1]["text"] += out["text"]
            changed = True
        else:
            merged.append(out)
    cell["outputs"] = merged
    return changed


def main(paths):
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if any([coalesce(cell) for cell in nb.cells if cell.cell_type == "code"]):
            nbformat.write(nb, path)
            print("merged streams in", path)


if __name__ == "__main__":
    main(sys.argv[1:])
