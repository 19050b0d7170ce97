"""For a reader who only has the web page: a "Run this chapter yourself" box on every chapter page.

The box (a ``<details>`` under the chapter's title, closed, so it costs one line) links the chapter's
notebook and the whole course as a zip (the package, the chapters, the exercises and the Makefile, the
files ``git ls-files`` lists, written next to the pages as ``rnncourse-course.zip`` by the HTML build),
and gives the two commands that set it up and open it. When ``repository: url:`` in _config.yml names a
public GitHub or GitLab repository, it also has buttons that open the chapter on Binder and (GitHub)
Colab, at ``launch_buttons: binderhub_url`` / ``colab_url`` or the public services.

Options (``sphinx: config:``): ``run_yourself_docs`` (the documents that get the box, a prefix of their
names; default ``chapters/``), ``run_yourself_zip`` (False: no zip, no link to it).
"""

from __future__ import annotations

import html
import os
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import quote

from sphinx.locale import _

ZIP_NAME = "rnncourse-course.zip"
_SKIP_DIRS = {".git", ".venv", "_build", "workspace", "__pycache__", ".pytest_cache", ".ipynb_checkpoints",
              "node_modules"}
BINDER, COLAB = "https://mybinder.org", "https://colab.research.google.com"

# The box's text goes through Sphinx's "sphinx" catalogue domain, so the Chinese edition shows it in
# Chinese: locales/zh_CN/LC_MESSAGES/sphinx.po holds these strings (outside a build they stay English).
COMMANDS = (("make book", "installs the package and its pinned requirements in .venv, builds this book"),
            ("make lab", "JupyterLab on your own copy of the chapters and exercises"))


def launch_links(theme_options: dict, sourcename: str) -> list[tuple[str, str]]:
    """(name, URL) of the Binder and Colab links for the notebook ``sourcename`` of the repository in
    ``theme_options`` (Jupyter Book's html_theme_options); none without a GitHub/GitLab repository."""
    url = (theme_options.get("repository_url") or "").strip().rstrip("/")
    parts = url.split("/")
    if len(parts) != 5 or parts[2] not in ("github.com", "gitlab.com"):
        return []
    host, org, repo = parts[2], parts[3], parts[4].removesuffix(".git")
    branch = theme_options.get("repository_branch") or "main"
    book = (theme_options.get("path_to_docs") or "").strip("/")
    path = f"{book}/{sourcename}" if book else sourcename
    buttons = theme_options.get("launch_buttons") or {}
    ui = "lab/tree" if buttons.get("notebook_interface", "jupyterlab") == "jupyterlab" else "tree"
    binder = (buttons.get("binderhub_url") or BINDER).rstrip("/")
    links = [("Binder", f"{binder}/v2/{'gh' if host == 'github.com' else 'gl'}/{org}/{repo}/{branch}"
                        f"?urlpath={quote(f'{ui}/{path}')}")]
    if host == "github.com":
        colab = (buttons.get("colab_url") or COLAB).rstrip("/")
        links.append(("Colab", f"{colab}/github/{org}/{repo}/blob/{branch}/{quote(path)}"))
    return links


def _t(message: str) -> str:
    return str(_(message))


def box(notebook_href: str, zip_href: str | None, links: list[tuple[str, str]]) -> str:
    """The HTML of the box (in the language of the build)."""
    label = _t("this chapter's notebook")
    notebook = f'<a href="{html.escape(notebook_href)}" download>{label}</a>'
    course = (_t(" and %(course)s (a zip of the package, the chapters and the exercises)") % {
        "course": f'<a href="{html.escape(zip_href)}" download>{_t("the whole course")}</a>'}
        if zip_href else "")
    launch = ("<p>" + _t("Or run it in your browser:") + " " + " ".join(
        f'<a class="btn btn-sm btn-outline-primary" href="{html.escape(url)}">'
        f'{_t("Open in %(service)s") % {"service": name}}</a>' for name, url in links) + "</p>") if links else ""
    commands = "\n".join(f"{command:<11}# {_t(what)}" for command, what in COMMANDS)
    return ('<details class="run-yourself admonition tip">'
            f'<summary class="admonition-title">{_t("Run this chapter yourself")}</summary>'
            "<p>" + _t("Every output on this page was produced by the code cells on it. Download "
                       "%(notebook)s%(course)s; then, in the unpacked folder, with Python 3.11:")
            % {"notebook": notebook, "course": course} + "</p>"
            f'<div class="highlight"><pre>{html.escape(commands)}</pre></div>'
            "<p>" + _t("No GPU is needed; every chapter runs in under a minute on a laptop.") + "</p>"
            f"{launch}</details>")


def add_box(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: put the box right after the page's <h1>."""
    if doctree is None or not pagename.startswith(app.config.run_yourself_docs):
        return
    body, sourcename = context.get("body", ""), context.get("sourcename", "")
    end = body.find("</h1>")
    if end < 0 or not sourcename:
        return
    pathto = context["pathto"]
    notebook = pathto(f"_sources/{sourcename}", 1)
    course = pathto(ZIP_NAME, 1) if app.config.run_yourself_zip else None
    links = launch_links(app.config.html_theme_options, sourcename)
    end += len("</h1>")
    context["body"] = body[:end] + box(notebook, course, links) + body[end:]


def course_files(root: Path) -> list[Path]:
    """The files of the course under ``root``: those git tracks there, or (no git) every file outside
    build outputs, virtual environments and caches."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True,
                                timeout=60).stdout.decode().split("\0")
        files = [root / name for name in listed if name]
    except (OSError, subprocess.SubprocessError):
        files = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info"))
            files += [Path(folder) / name for name in names]
    return sorted(f for f in files if f.is_file())


def write_zip(app, exception) -> None:
    """``build-finished``: the course as ``rnncourse-course.zip`` beside the pages (same bytes for the
    same files: sorted, fixed time stamps)."""
    if exception is not None or app.builder.format != "html" or not app.config.run_yourself_zip:
        return
    root = Path(app.srcdir)
    target = Path(app.outdir) / ZIP_NAME
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in course_files(root):
            info = zipfile.ZipInfo(f"rnncourse/{path.relative_to(root).as_posix()}", (1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def setup(app):
    app.add_config_value("run_yourself_docs", "chapters/", "html")
    app.add_config_value("run_yourself_zip", True, "html")
    app.connect("html-page-context", add_box)
    app.connect("build-finished", write_zip)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
