"""Structural checks of the chapter notebooks and the book's table of contents.

nbval (run by `make test`) re-executes every notebook and compares outputs; these tests check what nbval
does not: that stored outputs exist and hold no error, that every chapter is in the book, that chapters pin
their thread count, and that each ends with self-check exercises whose answers are hidden.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def toc_files():
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


def test_there_are_chapters():
    assert CHAPTERS, "no notebooks in chapters/"


def test_every_chapter_is_in_the_table_of_contents():
    listed = set(toc_files())
    missing = [p.stem for p in CHAPTERS if f"chapters/{p.stem}" not in listed]
    assert not missing, f"chapters missing from book/_toc.yml: {missing}"


def test_every_toc_entry_exists():
    for entry in toc_files():
        assert any((ROOT / (entry + ext)).exists() for ext in (".md", ".ipynb")), entry


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_stored_outputs_are_complete_and_error_free(path):
    for i, cell in enumerate(code_cells(load(path))):
        assert cell["execution_count"] is not None, f"{path.name}: code cell {i} was never executed"
        kinds = [o["output_type"] for o in cell["outputs"]]
        assert "error" not in kinds, f"{path.name}: code cell {i} holds a stored error"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_execution_order_is_top_to_bottom(path):
    counts = [c["execution_count"] for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: run all cells once, in order (make execute)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_fixes_thread_count_and_seeds(path):
    first = "".join(code_cells(load(path))[0]["source"])
    assert "set_num_threads(1)" in first, f"{path.name}: the imports cell must call torch.set_num_threads(1)"
    assert first.index('os.environ["OMP_NUM_THREADS"] = "1"') < first.index("import numpy"), \
        f"{path.name}: the imports cell must put NumPy's BLAS on one thread before importing NumPy"
    assert re.search(r"manual_seed|default_rng\(\d", first), f"{path.name}: the imports cell must seed"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_short(path):
    lengths = [len("".join(c["source"]).strip().splitlines()) for c in code_cells(load(path))]
    assert max(lengths) <= 20, f"{path.name}: a code cell has {max(lengths)} lines; move it into rnncourse"
    assert sum(n > 15 for n in lengths) <= max(1, len(lengths) // 10), f"{path.name}: too many long cells"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_self_check_exercises_have_hidden_answers(path):
    text = "".join("".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    labels = re.findall(r"```\{exercise\}\s*\n:label: (\S+)", text)
    assert len(labels) >= 4, f"{path.name}: expected at least 4 self-check exercises, found {len(labels)}"
    for label in labels:
        assert re.search(r"```\{solution\} " + re.escape(label) + r"\s*\n:class: dropdown", text), \
            f"{path.name}: exercise {label} has no hidden (dropdown) solution"


def test_requirements_pin_exact_versions():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    loose = [l for l in lines if "==" not in l]
    assert not loose, f"requirements.txt has unpinned lines: {loose}"
    pins = dict(l.split("==", 1) for l in lines)
    assert pins["torch"] == "2.13.0"
    assert pins["jupyter-book"].startswith("1.")


# --- What nbval compares (README, "Stored outputs"): one mechanism, and every exclusion asserts ---

def _census():
    import importlib.util
    spec = importlib.util.spec_from_file_location("nbval_census", ROOT / "scripts" / "nbval_census.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CENSUS = _census()
ALL_NOTEBOOKS = CENSUS.notebooks()
NBVAL_MARKERS = re.compile(r"#\s*NBVAL_\w+|nbval-(skip|raises-exception|check-output|ignore-output)",
                           re.IGNORECASE)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_excluded_cells_assert_their_claim(path):
    for i, cell in enumerate(CENSUS.code_cells(path)):
        if CENSUS.is_excluded(cell):
            assert CENSUS.asserts(cell), (
                f"{path.name}: code cell {i} is tagged {CENSUS.IGNORE_TAG} but has no assert: "
                "a cell whose output is not compared must check the claim the prose draws from it")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_one_exclusion_mechanism(path):
    """Only the cell tag excludes output; no comment markers, no skipped cells, no other tags."""
    for i, cell in enumerate(CENSUS.code_cells(path)):
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if t.startswith("nbval")]
        assert set(tags) <= {CENSUS.IGNORE_TAG}, f"{path.name}: code cell {i} has tags {tags}"
        assert not NBVAL_MARKERS.search(CENSUS.source(cell)), \
            f"{path.name}: code cell {i} uses an nbval comment marker; use the cell tag"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_exclusion_is_the_exception(path):
    row = CENSUS.census(path)
    assert row["excluded, asserted"] <= row["text cells"] // 3, (
        f"{path.name}: {row['excluded, asserted']} of {row['text cells']} cells with text output "
        "are excluded from nbval's comparison; print CPU-independent values (verdicts, rounded "
        "numbers) instead")


# a measured value at rounding level: exponent -13 or below, or -9 and below with a mantissa other
# than a round 1 (tolerances such as "within 1e-12" are thresholds, not measurements)
NOISE = re.compile(r"(?<![\w.])(\d(\.\d+)?e-(1[3-9]|[2-9][0-9])|([2-9]|\d\.\d+)e-(09|9|1[0-2]))\b")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_compared_outputs_print_no_rounding_noise(path):
    """A compared output must not print a number at the level of rounding error (e.g. 3e-16):
    its digits change with the CPU. Print a verdict such as 'below 1e-12' instead."""
    for i, cell in enumerate(CENSUS.code_cells(path)):
        if CENSUS.is_excluded(cell):
            continue
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            match = NOISE.search(text)
            assert not match, f"{path.name}: code cell {i} prints {match.group(0)!r}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_no_blank_stream_outputs(path):
    """An empty print or a stray newline shows as a blank output box in the book."""
    for i, cell in enumerate(CENSUS.code_cells(path)):
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                assert "".join(out["text"]).strip(), f"{path.name}: code cell {i} prints a blank line"
