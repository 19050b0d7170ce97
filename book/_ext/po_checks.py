"""What a translation of one message must keep, and the glossary it must follow (pure functions).

A message is the MyST source of one paragraph, heading, list item, table cell or glossary line, as
Sphinx's gettext builder extracts it (``msgid``), and its Chinese translation (``msgstr``) in a
catalogue ``locales/zh_CN/LC_MESSAGES/<document>.po``. Used by three places, so that they agree:

- ``book/_ext/bilingual.py`` (the Chinese build): :func:`needs_translation` decides which
  untranslated messages are errors;
- ``scripts/translations.py check`` and ``tests/test_translations.py``: :func:`entry_problems`
  lists what is wrong with one catalogue entry, :func:`catalogue_report` with a whole catalogue;
- ``book/_ext/bilingual.py`` again: :func:`glossary_terms` feeds the Chinese search's word list.

What must survive translation unchanged (compared as multisets, since Chinese word order differs):
inline math ``$...$``, inline code ```...```, every role's target (``{term}``, ``{eq}``,
``{cite}``, ``{doc}``, ``{numref}``...; a role's shown text may be translated when it has one,
``{term}`遗忘门 <forget gate>```), every Markdown link's URL, every number written in digits.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parents[1] / "glossary.md"

_DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$]+?)(?<![\\\s])\$(?!\$)")
_ROLE = re.compile(r"\{([A-Za-z][\w:.-]*)\}(`+)(.+?)\2", re.S)
_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_NUMBER = re.compile(r"(?<![A-Za-z_\d.])\d+(?:\.\d+)*(?![A-Za-z_\d])")
_WORD = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*"
# A run of English prose: this many words or more in a row, separated by spaces or light punctuation.
ENGLISH_RUN_WORDS = 4
_ENGLISH_RUN = re.compile(rf"{_WORD}(?:[ ,;:]+{_WORD}){{{ENGLISH_RUN_WORDS - 1},}}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Roles whose shown text may be translated when written `shown <target>`; the target never changes.
_TITLED_ROLES = {"term", "doc", "ref", "numref", "download", "any"}
# A translator comment "# term-ok: concatenated states" waives the plain-text glossary check for
# that English term in that entry (see locales/TRANSLATING.md).
_WAIVER = re.compile(r"term-ok:\s*(.+)")


@dataclass
class Parts:
    """The pieces of one message that translation must keep, and the prose around them."""

    math: Counter = field(default_factory=Counter)
    code: Counter = field(default_factory=Counter)
    roles: Counter = field(default_factory=Counter)  # (role, target)
    role_texts: list = field(default_factory=list)  # (role, target, shown text)
    urls: Counter = field(default_factory=Counter)
    numbers: Counter = field(default_factory=Counter)
    prose: str = ""  # the text with math, code, roles and URLs removed (link text kept)


def split_role(name: str, content: str) -> tuple[str, str]:
    """``(shown text, target)`` of a role's content: `shown <target>` or just `target`."""
    content = " ".join(content.split())
    match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", content, re.S)
    if name in _TITLED_ROLES and match and match.group(1):
        return match.group(1).strip(), match.group(2).strip()
    return content, content


def parts(message: str) -> Parts:
    """Split a MyST message into what must survive translation and the prose around it."""
    out = Parts()
    text = message

    def take_math(match):
        out.math[" ".join(match.group(1).split())] += 1
        return " \x00 "

    text = _DISPLAY_MATH.sub(take_math, text)
    text = _INLINE_MATH.sub(take_math, text)

    def take_role(match):
        name = match.group(1)
        shown, target = split_role(name, match.group(3))
        key = target.lower() if name == "term" else target
        out.roles[(name, key)] += 1
        out.role_texts.append((name, key, shown))
        return f" {shown} " if shown != target else " \x00 "

    text = _ROLE.sub(take_role, text)

    def take_code(match):
        out.code[match.group(2).strip()] += 1
        return " \x00 "

    text = _CODE.sub(take_code, text)

    def take_link(match):
        out.urls[match.group(3)] += 1
        return f" {match.group(2)} "

    text = _LINK.sub(take_link, text)

    def take_autolink(match):
        out.urls[match.group(1)] += 1
        return " \x00 "

    text = _AUTOLINK.sub(take_autolink, text)
    out.numbers = Counter(_NUMBER.findall(text))
    out.prose = text.replace("\x00", " ")
    return out


def needs_translation(msgid: str) -> bool:
    """True when the message has words to translate: a word of two or more Latin letters outside
    math, code and role targets. "$x$", "`(batch, H)`", "#", "1" or "遗忘门" need none."""
    return bool(re.search(r"[A-Za-z]{2,}", parts(msgid).prose))


def english_runs(text: str) -> list[str]:
    """Runs of :data:`ENGLISH_RUN_WORDS` or more English words in a row in ``text``."""
    return [m.group(0) for m in _ENGLISH_RUN.finditer(text)]


# --- the glossary -----------------------------------------------------------------------------

def glossary_terms(path: Path = GLOSSARY) -> dict[str, str]:
    """``{english term (lower case): chinese term}`` from book/glossary.md's ``{glossary}`` block.

    Each entry there is an English line, a Chinese line, then the indented definition.
    """
    text = path.read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S)
    if not block:
        raise ValueError(f"{path}: no ```{{glossary}} block")
    terms, lines = {}, block.group(1).splitlines()
    for first, second in zip(lines, lines[1:]):
        if first and not first[0].isspace() and second and not second[0].isspace():
            terms[first.strip().lower()] = second.strip()
    return terms


def accepted_forms(chinese: str, english: str = "") -> list[str]:
    """The ways a glossary's Chinese term may be written: whole, without its parenthesis, or the
    alternative inside it ("细胞状态（记忆单元）" → itself, "细胞状态", "记忆单元"); where the English
    term itself abbreviates ("deep RNN"), with 循环神经网络 abbreviated alike ("深度 RNN")."""
    forms = [chinese]
    match = re.fullmatch(r"(.+?)\s*[（(](.+)[）)]", chinese)
    if match:
        forms += [match.group(1).strip(), match.group(2).strip()]
    if re.search(r"\bRNN\b", english, re.I):
        forms += [form.replace("循环神经网络", "RNN") for form in forms if "循环神经网络" in form]
    return forms


def _uses(text: str, chinese: str, english: str = "") -> bool:
    squeezed = re.sub(r"\s+", "", text)
    return any(re.sub(r"\s+", "", form) in squeezed for form in accepted_forms(chinese, english))


def _english_pattern(term: str) -> re.Pattern:
    words = [re.escape(w) for w in re.split(r"[\s-]+", term)]
    body = r"[\s-]+".join(words)
    return re.compile(rf"(?<![A-Za-z]){body}(?:s|es)?(?![A-Za-z])", re.I)


def glossary_problems(msgid: str, msgstr: str, terms: dict[str, str],
                      waived: set[str] = frozenset()) -> list[str]:
    """Where the English uses a glossary term, the Chinese must use the glossary's Chinese term.

    - every ``{term}`` role: its shown text in the translation contains the Chinese term;
    - every multi-word English glossary term written in the prose (``hidden state``,
      ``forget gate``): the translation's prose contains the Chinese term, unless a translator
      comment ``term-ok: <term>`` waives it for this entry.
    """
    problems = []
    source, target = parts(msgid), parts(msgstr)
    for name, key, shown in target.role_texts:
        if name != "term" or key not in terms:
            continue
        if not _uses(shown, terms[key], key):
            problems.append(f"{{term}}`{key}` is shown as {shown!r}: use the glossary's "
                            f"Chinese term {terms[key]!r}, e.g. {{term}}`{terms[key]} <{key}>`")
    for english, chinese in terms.items():
        if len(re.split(r"[\s-]+", english)) < 2 or english in waived or not CJK.search(chinese):
            continue
        if _english_pattern(english).search(source.prose) and not _uses(target.prose, chinese, english):
            problems.append(f"the English says {english!r}: the translation must use the "
                            f"glossary's {chinese!r} (or waive it with a translator comment "
                            f"'# term-ok: {english}')")
    return problems


# --- one entry, one catalogue ------------------------------------------------------------------

def _diff(kind: str, before: Counter, after: Counter) -> list[str]:
    lost, added = before - after, after - before
    out = []
    if lost:
        out.append(f"{kind} lost or changed: " + ", ".join(repr(k) for k in lost.elements()))
    if added:
        out.append(f"{kind} not in the English: " + ", ".join(repr(k) for k in added.elements()))
    return out


def token_problems(msgid: str, msgstr: str) -> list[str]:
    """What the translation lost or altered of the message's math, code, roles, links, numbers."""
    source, target = parts(msgid), parts(msgstr)
    problems = []
    problems += _diff("equation", source.math, target.math)
    problems += _diff("inline code", source.code, target.code)
    problems += _diff("role/cross-reference", Counter(f"{{{n}}}`{t}`" for n, t in source.roles.elements()),
                      Counter(f"{{{n}}}`{t}`" for n, t in target.roles.elements()))
    problems += _diff("link target", source.urls, target.urls)
    problems += _diff("number", source.numbers, target.numbers)
    return problems


@dataclass
class Entry:
    """One catalogue entry as the checks see it."""

    msgid: str
    msgstr: str
    fuzzy: bool = False
    comments: tuple = ()
    line: int = 0


def entry_problems(entry: Entry, terms: dict[str, str]) -> list[str]:
    """Everything wrong with one translated entry (empty and fuzzy entries are counted apart)."""
    msgid, msgstr = entry.msgid, entry.msgstr
    problems = token_problems(msgid, msgstr)
    if msgstr == msgid and msgid.strip().lower() in terms:
        return problems  # a glossary's English term line, kept beside its Chinese line
    waived = {m.group(1).strip().lower() for c in entry.comments for m in [_WAIVER.search(c)] if m}
    problems += glossary_problems(msgid, msgstr, terms, waived)
    runs = english_runs(parts(msgstr).prose)
    if runs:
        problems.append("English prose left in the translation: " + "; ".join(map(repr, runs)))
    return problems


@dataclass
class Report:
    """The state of one catalogue: counts, and every problem with its entry."""

    path: Path
    entries: int = 0
    translated: int = 0
    fuzzy: list = field(default_factory=list)
    untranslated: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (Entry, [problem, ...])
    source_chars: int = 0
    translation_chars: int = 0

    def summary(self) -> str:
        return (f"{self.path}: {self.entries} entries, {self.translated} translated, "
                f"{len(self.fuzzy)} fuzzy (English changed), {len(self.untranslated)} untranslated, "
                f"{len(self.problems)} with problems")

    def details(self, limit: int = 1000) -> str:
        lines = [self.summary()]
        for kind, entries in (("FUZZY", self.fuzzy), ("UNTRANSLATED", self.untranslated)):
            for entry in entries[:limit]:
                lines.append(f"  {kind} (line {entry.line}): {_excerpt(entry.msgid)}")
        for entry, problems in self.problems[:limit]:
            lines.append(f"  PROBLEM (line {entry.line}): {_excerpt(entry.msgid)}")
            lines += [f"      - {p}" for p in problems]
        return "\n".join(lines)


def _excerpt(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[:width - 1] + "…")


def read_catalogue(path: Path) -> list[Entry]:
    """The entries of a .po file (header and obsolete entries left out), through Babel."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        catalogue = read_po(handle, abort_invalid=True)
    return [Entry(str(m.id), str(m.string or ""), m.fuzzy, tuple(m.user_comments),
                  m.lineno or 0)
            for m in catalogue if m.id]


def catalogue_report(path: Path, terms: dict[str, str] | None = None) -> Report:
    """Count and check every entry of one catalogue."""
    terms = glossary_terms() if terms is None else terms
    report = Report(Path(path))
    for entry in read_catalogue(path):
        report.entries += 1
        report.source_chars += len(entry.msgid)
        if entry.fuzzy:
            report.fuzzy.append(entry)
            continue
        if not entry.msgstr.strip():
            if needs_translation(entry.msgid):
                report.untranslated.append(entry)
            continue
        report.translated += 1
        report.translation_chars += len(entry.msgstr)
        problems = entry_problems(entry, terms)
        if problems:
            report.problems.append((entry, problems))
    return report


def is_complete(path: Path) -> bool:
    """True when the catalogue exists and has no fuzzy or untranslated entry."""
    if not Path(path).exists():
        return False
    report = catalogue_report(path)
    return not (report.fuzzy or report.untranslated)
