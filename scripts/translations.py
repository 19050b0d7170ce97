"""The Chinese edition's catalogues and build (Sphinx internationalisation over Jupyter Book 1).

    python scripts/translations.py update     # make translations: catalogues follow the English
    python scripts/translations.py build      # make book: the Chinese edition in _build/html/zh
    python scripts/translations.py check [PO ...] [--details]   # counts and problems per catalogue

``update`` runs Sphinx's gettext builder over the same configuration as ``jupyter-book build``
(``_config.yml`` and ``book/_toc.yml``, through Jupyter Book's own ``build_sphinx``) into
``_build/gettext`` (one ``.pot`` per document, plus ``_config.pot`` for the title, author and
search text), then ``sphinx-intl update``: a new message gets an empty entry, a changed one keeps
its old translation marked fuzzy, the rest is untouched, and entries whose English is gone are
dropped. ``build`` is the HTML build with ``language=zh_CN``; it reads the notebooks' stored outputs
as the English build does. ``check`` reads the catalogues only (no build) with
``book/_ext/po_checks.py``: fuzzy and untranslated counts, and every entry that lost an equation,
a role, inline code, a link or a number, or strays from the glossary.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
LOCALES = ROOT / "locales"
CATALOGUES = LOCALES / LANGUAGE / "LC_MESSAGES"
GETTEXT = ROOT / "_build" / "gettext"
HTML_ZH = ROOT / "_build" / "html" / "zh"

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import po_checks  # noqa: E402


def _sphinx(builder: str, outdir: Path, doctrees: Path, overrides: dict, *, strict=False,
            nitpicky=False, keep_going=False, fresh=False) -> int:
    """One Sphinx build over the book's Jupyter Book configuration, as `jupyter-book build` does it."""
    from jupyter_book.sphinx import build_sphinx

    overrides = {"external_toc_path": str(ROOT / "book" / "_toc.yml"),
                 "latex_individualpages": False, **overrides}
    if nitpicky:
        overrides["nitpicky"] = True
    result = build_sphinx(ROOT, outdir, noconfig=True, path_config=str(ROOT / "_config.yml"),
                          confoverrides=overrides, builder=builder, doctreedir=doctrees,
                          warningiserror=strict, keep_going=keep_going, freshenv=fresh,
                          quiet=True)
    if isinstance(result, Exception):
        raise result
    return result


def update() -> int:
    """Regenerate the templates and bring every catalogue up to date with sphinx-intl."""
    shutil.rmtree(GETTEXT, ignore_errors=True)
    status = _sphinx("gettext", GETTEXT, ROOT / "_build" / ".doctrees-gettext",
                     {"project": "rnncourse"}, fresh=True)
    if status:
        return status
    subprocess.run([sys.executable, "-m", "sphinx_intl", "update", "-p", str(GETTEXT),
                    "-d", str(LOCALES), "-l", LANGUAGE, "-w", "0", "--no-obsolete", "-j", "1"],
                   check=True, cwd=ROOT)
    templates = {p.relative_to(GETTEXT).with_suffix("") for p in GETTEXT.rglob("*.pot")}
    for po in sorted(CATALOGUES.rglob("*.po")):
        if po.relative_to(CATALOGUES).with_suffix("") not in templates and po.name != "sphinx.po":
            print(f"Removed: {po.relative_to(ROOT)} (its document is no longer in the book)")
            po.unlink()
            po.with_suffix(".mo").unlink(missing_ok=True)
    return check([], details=False, allow_untranslated=True)


def build(strict=False, nitpicky=False, keep_going=False, fresh=False,
          allow_untranslated=False) -> int:
    """The Chinese edition into _build/html/zh (warnings are errors with ``strict``)."""
    overrides = {"language": LANGUAGE}
    if allow_untranslated:
        overrides["bilingual_allow_untranslated"] = True
    status = _sphinx("html", HTML_ZH, ROOT / "_build" / ".doctrees-zh", overrides, strict=strict,
                     nitpicky=nitpicky, keep_going=keep_going, fresh=fresh)
    if not status:
        print(f"Chinese edition: open {HTML_ZH / 'index.html'} in a browser.")
    return status


def catalogues(names: list[str]) -> list[Path]:
    """The catalogues named (paths, or document names such as chapters/07_lstm), or all of them."""
    if not names:
        return sorted(p for p in CATALOGUES.rglob("*.po") if p.name != "sphinx.po") + \
            sorted(CATALOGUES.glob("sphinx.po"))
    found = []
    for name in names:
        path = Path(name)
        candidates = [path, ROOT / path, CATALOGUES / path, (CATALOGUES / path).with_suffix(".po")]
        match = next((c for c in candidates if c.is_file()), None)
        if match is None:
            raise SystemExit(f"no catalogue {name!r}: give a path such as "
                             f"locales/zh_CN/LC_MESSAGES/chapters/07_lstm.po or chapters/07_lstm")
        found.append(match.resolve())
    return found


def check(names: list[str], details=True, allow_untranslated=False) -> int:
    """Print each catalogue's counts (and its problems with ``details``); 1 if anything is wrong."""
    terms = po_checks.glossary_terms()
    failed = False
    totals = [0, 0, 0, 0]
    for path in catalogues(names):
        report = po_checks.catalogue_report(path, terms)
        report.path = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(report.details() if details else report.summary())
        totals = [a + b for a, b in zip(totals, (report.entries, report.translated,
                                                 len(report.fuzzy), len(report.untranslated)))]
        pending = report.fuzzy or report.untranslated
        failed |= bool(report.problems) or (bool(pending) and not allow_untranslated)
    print(f"all: {totals[0]} entries, {totals[1]} translated, {totals[2]} fuzzy, "
          f"{totals[3]} untranslated")
    return int(failed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="regenerate the templates and update the catalogues")
    b = sub.add_parser("build", help="build the Chinese edition into _build/html/zh")
    b.add_argument("-W", dest="strict", action="store_true", help="warnings are errors")
    b.add_argument("-n", dest="nitpicky", action="store_true", help="nit-picky mode")
    b.add_argument("--keep-going", action="store_true", help="report every warning, then fail")
    b.add_argument("--all", dest="fresh", action="store_true", help="re-read every document")
    b.add_argument("--allow-untranslated", action="store_true",
                   help="untranslated and fuzzy messages are not warnings (chapters in progress)")
    c = sub.add_parser("check", help="counts and problems of catalogues (all when none is named)")
    c.add_argument("catalogues", nargs="*", help="paths or document names, e.g. chapters/07_lstm")
    c.add_argument("--summary", action="store_true", help="counts only")
    c.add_argument("--allow-untranslated", action="store_true",
                   help="fuzzy and untranslated entries are counted but do not fail")
    args = parser.parse_args(argv)
    if args.command == "update":
        return update()
    if args.command == "build":
        return build(args.strict, args.nitpicky, args.keep_going, args.fresh,
                     args.allow_untranslated)
    return check(args.catalogues, details=not args.summary,
                 allow_untranslated=args.allow_untranslated)


if __name__ == "__main__":
    sys.exit(main())
