"""Small fixes to what Jupyter Book 1 puts in every page, found by the browser tests.

sphinx-thebe registers its configuration script once per reading pass, and a build that reads the
sources more than once gets it twice; the second ``const THEBE_JS_URL = ...`` is a JavaScript
syntax error on every page. This drops repeated inline scripts from each page's script list.
"""


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


def setup(app):
    app.connect("html-page-context", _drop_repeated_inline_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
