"""Small fixes to what Jupyter Book 1 puts in every page, found by the browser tests.

- sphinx-thebe registers its configuration script once per reading pass, and a build that reads the
  sources more than once gets it twice; the second ``const THEBE_JS_URL = ...`` is a JavaScript
  syntax error on every page. This drops repeated inline scripts from each page's script list.
- sphinx-exercise titles an answer "Solution to" followed by a link whose text starts with a space
  (" Exercise 5.2"), so the underline of the link starts with a blank. The space moves out of the link.
"""

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform


def _drop_repeated_inline_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        body = getattr(script, "attributes", {}).get("body")
        if body:
            if body in seen:
                continue
            seen.add(body)
        kept.append(script)
    scripts[:] = kept


class SolutionTitleSpace(SphinxPostTransform):
    """"Solution to<a> Exercise 5.2</a>" -> "Solution to <a>Exercise 5.2</a>" (after sphinx-exercise's
    own title transform, priority 21)."""

    default_priority = 30

    def run(self):
        from sphinx_exercise.nodes import solution_node

        for solution in self.document.findall(solution_node):
            title = solution.children[0] if solution.children else None
            if not isinstance(title, nodes.title) or len(title.children) < 2:
                continue
            lead, link = title.children[0], title.children[1]
            first = link.children[0] if isinstance(link, nodes.Element) and link.children else None
            if isinstance(lead, nodes.Text) and isinstance(first, nodes.Text) and first.startswith(" "):
                title.replace(lead, nodes.Text(str(lead).rstrip() + " "))
                link.replace(first, nodes.Text(str(first).lstrip()))


def setup(app):
    app.connect("html-page-context", _drop_repeated_inline_scripts, priority=900)
    app.add_post_transform(SolutionTitleSpace)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
