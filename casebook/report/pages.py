"""Pages: self-contained, sanitised HTML pages for readers (executed notebooks, the index).

Pages are sanitised as a whole with an allow-list (:func:`sanitise_html`, ammonia
through ``nh3``): no ``<script>``, ``<style>``, ``<iframe>``, event-handler attribute or
``javascript:`` link survives, whatever a cell displayed; and each page carries a
Content-Security-Policy that forbids scripts and any network fetch. The body is marked
so that MathJax, should a page be shown with it, typesets nothing
(:func:`casebook.safety.no_math`), and every casebook table inside is marked too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from casebook import safety

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SAFE_OUTPUT_TYPES",
    "html_page",
    "notebook_html",
    "sanitise_html",
]

_TAGS = {
    "a", "abbr", "b", "bdi", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
    "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_REMOVE_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg",
    "math", "form", "textarea", "select", "button", "frame", "frameset", "title",
}
_ATTRIBUTES = {
    "*": {"class", "id", "title", "style", "role", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
}
_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
    "text-align", "vertical-align", "white-space", "border", "border-collapse",
    "border-color", "border-style", "border-width", "border-bottom", "border-top",
    "border-left", "border-right", "padding", "margin", "width", "max-width", "height",
}
_IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*$")
_LINK = re.compile(r"^(https?:|mailto:|#|[^:]*$)", re.I)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        return value if _IMAGE_DATA.match(value) else None
    if attr == "href":
        return value if _LINK.match(value.strip()) else None
    return value


_CLEANER: Any = None


def sanitise_html(fragment: str) -> str:
    """Sanitise an HTML fragment with an allow-list (ammonia, through ``nh3``).

    Keeps text markup, tables and embedded images (``data:image/...;base64`` only);
    removes ``<script>``, ``<style>``, ``<iframe>``, forms and their content, every
    attribute not on the list (so every ``on*`` event handler), links other than
    http(s), mailto and relative ones, and CSS properties other than simple layout and
    colour.

    Examples
    --------
    >>> sanitise_html('<img src=x onerror=alert(1)><script>alert(1)</script><b>ok</b>')
    '<img><b>ok</b>'
    """
    global _CLEANER
    if _CLEANER is None:
        import nh3

        _CLEANER = nh3.Cleaner(
            tags=_TAGS,
            clean_content_tags=_REMOVE_WITH_CONTENT,
            attributes=_ATTRIBUTES,
            attribute_filter=_attribute_filter,
            url_schemes={"http", "https", "mailto", "data"},
            strip_comments=True,
            link_rel="noopener noreferrer nofollow",
            filter_style_properties=_STYLE_PROPERTIES,
        )
    return _CLEANER.clean(fragment)


#: No scripts, no fetches: images only from data: URIs, styles only inline.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)

_PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5;
       color: #1d1d1f; max-width: 70rem; margin: 2rem auto; padding: 0 1.25rem; }
h1, h2, h3 { line-height: 1.25; }
a.anchor-link { display: none; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: 0.6em;
      border-radius: 4px; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.75em 0; font-size: 0.92em;
        display: block; max-width: 100%; overflow-x: auto; }  /* a wide table scrolls, the page does not */
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.3em 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; text-align: left; vertical-align: top;
         max-width: 40rem; overflow-wrap: break-word; }
thead th { background: #f0f3f6; }
tbody tr:nth-child(even) { background: #fafbfc; }
img { max-width: 100%; height: auto; }
.output_area, .text_cell_render { margin: 0.4em 0; }
.output_stderr { display: none; }
.casebook-banner { border: 1px solid #d0d7de; padding: 0.6em 0.9em; margin: 0.5em 0; }
.casebook-synthetic { border: 2px solid #b00020; background: #fdecea; color: #5f0010; }
.status-ok { color: #116329; font-weight: 600; }
.status-failed { color: #b00020; font-weight: 600; }
.ansi-red-fg { color: #b00020; } .ansi-green-fg { color: #116329; }
.ansi-yellow-fg { color: #7d4e00; } .ansi-blue-fg { color: #0550ae; }
.ansi-cyan-fg { color: #1b7c83; } .ansi-bold { font-weight: 600; }
"""


def html_page(body: str, *, title: str) -> str:
    """A complete, self-contained HTML page around a sanitised ``body`` fragment.

    The body goes through :func:`sanitise_html`; the page has a fixed stylesheet and a
    Content-Security-Policy that forbids scripts and network requests, and its body
    carries the classes MathJax skips (:data:`casebook.safety.NO_MATH_CLASSES`).
    """
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>{safety.escape_html(safety.reveal_invisible(title))}</title>\n"
        f"<style>{_PAGE_CSS}</style>\n</head>\n"
        # a tweet's $...$ is text, never maths, whatever script a reader's tool adds
        f"<body class=\"{safety.NO_MATH_CLASSES}\">\n{sanitise_html(body)}\n</body>\n</html>\n"
    )


#: Output types shown in reports; anything else (JavaScript, widgets...) is dropped.
SAFE_OUTPUT_TYPES: frozenset[str] = frozenset(
    {"text/plain", "text/html", "text/markdown", "image/png", "image/jpeg", "image/svg+xml"}
)


def notebook_html(notebook: Any, *, title: str | None = None) -> str:
    """An executed notebook as a page for readers: code hidden, outputs kept, sanitised.

    Parameters
    ----------
    notebook
        A path to an ``.ipynb`` file, or an ``nbformat`` notebook node (not modified).
    title
        Page title; default the notebook's first heading, else its file name.

    Returns
    -------
    str
        The page (see :func:`html_page`). Cells tagged ``remove-cell`` are left out,
        and so are the outputs of cells tagged ``remove-output``; stderr streams
        (warnings, progress bars) are hidden. Every image has an ``alt`` text: the
        figure's title when the notebook recorded it (the output's ``image/png``
        metadata ``alt``, written by :func:`casebook.report.enable_figure_alt_text`,
        or the cell's ``alt`` metadata), else "Figure in section ..." naming the
        heading above it.
    """
    import copy

    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    if isinstance(notebook, (str, os.PathLike)):
        nb = nbformat.read(os.fspath(notebook), as_version=4)
        default_title = Path(notebook).stem
    else:
        nb = copy.deepcopy(notebook)
        default_title = "casebook report"
    for cell in nb.cells:  # cells, not tweets: drop output types a page must not render
        for output in cell.get("outputs", []):
            if "data" in output:
                output["data"] = {k: v for k, v in output["data"].items() if k in SAFE_OUTPUT_TYPES}
    _fill_alt_text(nb)
    config = Config(
        {
            "TagRemovePreprocessor": {
                "enabled": True,
                "remove_cell_tags": ["remove-cell", "remove_cell"],
                "remove_all_outputs_tags": ["remove-output", "remove_output"],
            }
        }
    )
    exporter = HTMLExporter(
        config=config,
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    return html_page(body, title=title or _first_heading(nb) or default_title)


_IMAGE_TYPES = ("image/png", "image/jpeg")


def _fill_alt_text(nb: Any) -> None:
    """Give every image output an ``alt`` in its metadata (nbconvert writes it as the
    ``<img alt>``): the figure's own, else the cell's, else one naming the section."""
    section = ""
    for cell in nb.cells:  # cells, not tweets
        if cell.cell_type == "markdown":
            headings = re.findall(r"^#+\s+(.+?)\s*#*\s*$", cell.source, flags=re.M)
            section = headings[-1] if headings else section
            continue
        cell_alt = cell.get("metadata", {}).get("alt")
        for output in cell.get("outputs", []):
            for mime in _IMAGE_TYPES:
                if mime not in output.get("data", {}):
                    continue
                metadata = output.setdefault("metadata", {})
                own = metadata.get(mime) if isinstance(metadata.get(mime), dict) else {}
                alt = own.get("alt") or metadata.get("alt") or cell_alt
                if not alt:
                    alt = f"Figure in section '{section}'" if section else "Figure (no title)"
                metadata[mime] = {**own, "alt": str(alt)}


def _first_heading(nb: Any) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#+\s+(.+)$", cell.source, flags=re.M)
            if m:
                return m.group(1).strip()
    return None
