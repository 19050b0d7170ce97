"""The book in English and Chinese from the same notebooks (Sphinx internationalisation).

The English book is built as always into ``_build/html``; the Chinese edition is the same Sphinx
build with ``language = zh_CN`` into ``_build/html/zh`` (``scripts/translations.py build``). Its
prose comes from the gettext catalogues ``locales/zh_CN/LC_MESSAGES/<document>.po``; code cells and
their stored outputs are the notebooks' own, read as stored, never copied or re-executed.

This extension, loaded by both builds and by the gettext build that writes the catalogue
templates, does what Sphinx does not do by itself:

- display equations never enter a catalogue (they are code, not prose): a translator cannot alter one;
  an image's alt text in a notebook (``mystnb.image.alt``) does, like figure captions;
- in the Chinese build, every message that has words to translate but no current translation
  (empty, fuzzy because its English changed, or missing because the catalogues were not updated)
  is a warning, so the strict build fails; ``bilingual_allow_untranslated = True``
  (``make test ALLOW_UNTRANSLATED=1``) turns them into one summary line while chapters are being
  translated;
- every page gets a link to the same page in the other edition and a ``<link rel="alternate">``;
- the Chinese edition's title, author and search box text come from ``_config.po`` (the gettext
  build writes its template ``_config.pot`` from the configuration), citations read
  "Hochreiter 和 Schmidhuber, 1997", the search index splits Chinese with jieba with the glossary's
  Chinese terms as words (so 遗忘门 is one word), and ``zh/index.html`` leads to the first page;
- Sphinx 7.4's Chinese search stems in quadratic time (a list scanned per word): a set instead
  gives the same index about 5 s sooner on this book.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import extract_messages

sys.path.insert(0, str(Path(__file__).resolve().parent))
import po_checks  # noqa: E402  (book/_ext is on the path of the build too)

logger = logging.getLogger(__name__)

#: the Chinese edition's folder inside the English edition's output (_build/html/zh)
ZH_DIR = "zh"
#: the catalogue of the configuration's strings (title, author, search box text)
CONFIG_DOMAIN = "_config"


def is_chinese(config) -> bool:
    return (config.language or "en").lower().startswith("zh")


def _catalogue_path(app, domain: str) -> Path | None:
    for folder in app.config.locale_dirs:
        path = Path(app.srcdir, folder, app.config.language, "LC_MESSAGES", domain + ".po")
        if path.exists():
            return path
    return None


def _read_translations(path: Path | None) -> dict[str, po_checks.Entry]:
    return {entry.msgid: entry for entry in po_checks.read_catalogue(path)} if path else {}


# --- equations stay out of the catalogues ----------------------------------------------------

class KeepEquationsOutOfCatalogues(SphinxTransform):
    """Display equations are not translatable messages (before gettext extraction and Locale)."""

    default_priority = 15  # sphinx.transforms.i18n.Locale is 20

    def apply(self, **kwargs) -> None:
        for node in self.document.findall(nodes.math_block):
            node["translatable"] = False


# --- untranslated messages in the Chinese build --------------------------------------------

class ReportUntranslated(SphinxTransform):
    """After Locale: a message with words to translate and no current translation is a warning.

    It runs after sphinx-external-toc has inserted the book's toctrees (priority 100), which
    happens after Locale (20): their captions ("Foundations", ...) are translated here.
    """

    default_priority = 101

    def apply(self, **kwargs) -> None:
        from sphinx import addnodes
        from sphinx.builders.gettext import MessageCatalogBuilder

        if not is_chinese(self.config) or isinstance(self.app.builder, MessageCatalogBuilder):
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        path = _catalogue_path(self.app, domain)
        known = _read_translations(path)
        where = (os.path.relpath(path, self.app.srcdir) if path
                 else f"locales/zh_CN/LC_MESSAGES/{domain}.po")
        missing = 0
        # Locale replaces an image's alt text without marking the image translated
        alt_texts = {e.msgstr for e in known.values() if e.msgstr.strip() and not e.fuzzy}
        for node, msg in list(extract_messages(self.document)):
            if isinstance(node, nodes.image) and msg in alt_texts:
                continue
            entry = known.get(msg)
            current = entry is not None and not entry.fuzzy and entry.msgstr.strip()
            if isinstance(node, addnodes.toctree):
                if current:
                    node.apply_translated_message(msg, entry.msgstr)
                    continue
            elif node.get("translated"):
                continue
            if not po_checks.needs_translation(msg):
                continue
            if entry is None:
                why = f"not in {where}: run `make translations`, then translate it"
            elif entry.fuzzy:
                why = f"out of date in {where} (fuzzy: its English changed)"
            elif not entry.msgstr.strip():
                why = f"empty in {where}"
            else:
                why = (f"its translation in {where} did not parse as one paragraph of MyST "
                       f"(a leading '1.', '-', '#' or '>' makes a list, heading or quote)")
            missing += 1
            if not self.config.bilingual_allow_untranslated:
                logger.warning("untranslated: %s: %s", _excerpt(msg), why, location=node,
                               type="i18n", subtype="untranslated")
        counts = _counts(self.env)
        counts.pop(self.env.docname, None)
        if missing:
            counts[self.env.docname] = missing


def _counts(env) -> dict[str, int]:
    """Untranslated messages per document, kept in the environment across incremental builds."""
    if not hasattr(env, "bilingual_untranslated"):
        env.bilingual_untranslated = {}
    return env.bilingual_untranslated


def _purge(app, env, docname) -> None:
    _counts(env).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    _counts(env).update({d: n for d, n in _counts(other).items() if d in docnames})


def _excerpt(text: str, width: int = 70) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _summary(app, exception) -> None:
    counts = {d: n for d, n in _counts(app.env).items() if d in app.env.found_docs}
    if counts and app.config.bilingual_allow_untranslated and is_chinese(app.config):
        where = ", ".join(f"{doc} {n}" for doc, n in sorted(counts.items()))
        print(f"bilingual: {sum(counts.values())} messages without a current translation are shown "
              f"in English ({where}); `make test` fails on them unless ALLOW_UNTRANSLATED=1, and "
              f"`python scripts/translations.py check` lists them per catalogue")


# --- the configuration's strings -----------------------------------------------------------

def _config_strings(config) -> dict[str, str]:
    options = config.html_theme_options or {}
    values = {"html_title": config.html_title, "author": config.author,
              "search_bar_text": options.get("search_bar_text")}
    return {key: value for key, value in values.items() if isinstance(value, str) and value.strip()}


def notebook_images_in_catalogues(app) -> None:
    """Gettext build: render notebook outputs as the HTML build does, so that an image's alt text
    (MyST-NB's cell metadata ``mystnb.image.alt``) reaches the catalogue; MyST-NB has no mime type
    priority for the gettext builder and would drop every output before the messages are read."""
    if app.builder.name != "gettext" or not hasattr(app.config, "nb_mime_priority_overrides"):
        return
    from myst_nb.core.render import base_render_priority

    html = base_render_priority().get("html", {})
    app.config.nb_mime_priority_overrides = [
        *app.config.nb_mime_priority_overrides,
        *(("gettext", mime, priority) for mime, priority in html.items())]


def write_config_template(app, exception) -> None:
    """Gettext build: ``_config.pot`` beside the documents' templates, from the configuration."""
    if exception or app.builder.name != "gettext":
        return
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalogue = Catalog(project="rnncourse", charset="utf-8")
    for key, value in _config_strings(app.config).items():
        catalogue.add(value, auto_comments=[f"_config.yml: {key}"])
    with open(Path(app.outdir, CONFIG_DOMAIN + ".pot"), "wb") as handle:
        write_po(handle, catalogue, width=0, omit_header=False)


def configure_chinese(app, config) -> None:
    """Chinese build: translated title, author and search text; citations and search in Chinese."""
    if not is_chinese(config):
        return
    known = _read_translations(_catalogue_path(app, CONFIG_DOMAIN))
    for key, value in _config_strings(config).items():
        entry = known.get(value)
        if entry and entry.msgstr.strip() and not entry.fuzzy:
            translated = entry.msgstr
        else:
            translated = value
            if not config.bilingual_allow_untranslated:
                logger.warning("untranslated: %s (%s) has no current translation in "
                               "locales/zh_CN/LC_MESSAGES/_config.po", _excerpt(value), key,
                               type="i18n", subtype="untranslated")
        if key == "search_bar_text":
            config.html_theme_options = {**config.html_theme_options, key: translated}
        else:
            setattr(config, key, translated)
    if getattr(config, "bibtex_reference_style", None) == "author_year":
        _register_chinese_citations()
        config.bibtex_reference_style = "author_year_zh"
    _faster_chinese_search_stemming()
    words = Path(app.doctreedir, "search_words_zh.txt")
    words.parent.mkdir(parents=True, exist_ok=True)
    words.write_text(search_words(), encoding="utf-8")
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(words)}


def search_words() -> str:
    """A jieba user dictionary: the glossary's Chinese terms (and their alternatives) as words."""
    lines = set()
    for chinese in po_checks.glossary_terms().values():
        for form in po_checks.accepted_forms(chinese):
            if " " not in form and po_checks.CJK.search(form):
                lines.add(f"{form} 100000 n")
    return "\n".join(sorted(lines)) + "\n"


class _TermSet(set):
    """A set that takes ``extend``: membership in constant time instead of a list scan."""

    extend = set.update


def _faster_chinese_search_stemming() -> None:
    """Sphinx 7.4's Chinese search keeps every Latin word it has seen in a list and scans it for
    each word it stems (quadratic: a few seconds on this book). A set gives the same answers."""
    from sphinx.search import zh

    if not isinstance(zh.SearchChinese.latin_terms, _TermSet):
        zh.SearchChinese.latin_terms = _TermSet(zh.SearchChinese.latin_terms)


def _register_chinese_citations() -> None:
    from dataclasses import dataclass, field

    from pybtex.richtext import Text
    from sphinxcontrib.bibtex.plugin import register_plugin
    from sphinxcontrib.bibtex.style.referencing import PersonStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    def chinese_names():
        return PersonStyle(sep="、", sep2=" 和 ", last_sep=" 和 ", other=Text(" 等"))

    @dataclass
    class ChineseAuthorYear(AuthorYearReferenceStyle):
        person: PersonStyle = field(default_factory=chinese_names)

    register_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_zh", ChineseAuthorYear,
                    force=True)


# --- the link to the other edition ----------------------------------------------------------

def other_edition(config, pagename: str) -> tuple[str, str, str]:
    """``(href, hreflang, link text)`` of ``pagename`` in the other edition, relative to it."""
    up = "../" * pagename.count("/")
    if is_chinese(config):
        return f"{up}../{pagename}.html", "en", "English"
    return f"{up}{ZH_DIR}/{pagename}.html", "zh-CN", "中文"


def language_switch(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or doctree is None or "body" not in context:
        return
    href, lang, text = other_edition(app.config, pagename)
    title = "Read this page in English" if lang == "en" else "阅读本页的中文版"
    context["body"] = (f'<p class="language-switch"><a href="{href}" hreflang="{lang}" '
                       f'lang="{lang}" title="{title}">{text}</a></p>\n' + context["body"])
    context["metatags"] = (context.get("metatags", "") +
                           f'\n<link rel="alternate" hreflang="{lang}" href="{href}" />')


def write_redirect(app, exception) -> None:
    """Chinese build: ``zh/index.html`` leads to the first page, as Jupyter Book's does."""
    if exception or app.builder.name != "html" or not is_chinese(app.config):
        return
    Path(app.outdir, "index.html").write_text(
        f'<meta http-equiv="Refresh" content="0; url={app.config.root_doc}.html" />\n',
        encoding="utf-8")


def setup(app):
    app.add_config_value("bilingual_allow_untranslated", False, "env", types=[bool])
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.add_transform(KeepEquationsOutOfCatalogues)
    app.add_transform(ReportUntranslated)
    app.connect("config-inited", configure_chinese)
    app.connect("builder-inited", notebook_images_in_catalogues)
    app.connect("html-page-context", language_switch)
    app.connect("build-finished", write_config_template)
    app.connect("build-finished", write_redirect)
    app.connect("build-finished", _summary)
    app.add_css_file("bilingual.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
