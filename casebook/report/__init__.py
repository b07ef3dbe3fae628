"""Readable, safe reports: display helpers, CSV export, findings files and HTML pages.

Every case notebook shows tweets and accounts through :func:`show_table`, records its
headline findings with :func:`record_findings`, finds its data with
:func:`find_datasets` and says which data is synthetic, which real, and what its control
cohort is with :func:`specimen_banner` (:func:`data_sources` says it as data); the claims
ledger is shown with :func:`render_ledger`. :func:`enable_figure_alt_text`, called once
in a notebook, gives every figure an alt text from its title, which the report pages
keep (:func:`notebook_html`).
``casebook run`` (:mod:`casebook.runner`) then turns each executed notebook into a page
for readers with :func:`notebook_html` and links them from an index built with
:func:`html_page`.

The package has one module per job: :mod:`~casebook.report.display` (tables, banners,
the ledger), :mod:`~casebook.report.export` (CSV), :mod:`~casebook.report.findings`
(findings files) and :mod:`~casebook.report.pages` (sanitised HTML pages). Dataset
discovery lives in :mod:`casebook.discovery`; its names are re-exported here.

Archive text is written by the operators, so it is treated as hostile everywhere:

- tables escape every cell and header (:func:`casebook.safety.escape_html`) and defang
  links in text columns (``http://evil.example`` -> ``hxxp://evil[.]example``);
- bidi controls and invisible characters are shown as ``<U+202E>``
  (:func:`casebook.safety.reveal_invisible`), so a name cannot reorder or hide the text
  around it; every text cell of a table, and each text of a list cell (a community's
  ``sample_texts``), is isolated in a ``<bdi>``, so a right-to-left tweet cannot reorder
  the texts beside it either;
- every HTML output (:class:`SafeHTML`) and every page is marked so that MathJax
  (JupyterLab, the classic notebook, nbconvert) typesets nothing in it: a tweet
  ``$\\href{//evil.example/x}{evidence}$`` stays text (:func:`casebook.safety.no_math`);
- CSV exports neutralise cells a spreadsheet would run as formulas (``'=HYPERLINK(...``),
  header cells and categorical columns included;
- the HTML pages are sanitised again as a whole with an allow-list (:func:`sanitise_html`,
  ammonia through ``nh3``): no ``<script>``, ``<style>``, ``<iframe>``, event-handler
  attribute or ``javascript:`` link survives, whatever a cell displayed; and each page
  carries a Content-Security-Policy that forbids scripts and any network fetch.

Examples
--------
In a case notebook::

    from casebook import report
    found, absent = report.find_datasets(data_dir, datasets)
    report.specimen_banner(found)
    report.show_table(tweets[["tweet_time", "user_screen_name", "tweet_text"]])
    report.record_findings(findings, case="iran", output_dir=output_dir)
"""

from __future__ import annotations

from casebook.discovery import DATA_SUFFIXES, find_datasets, is_release_dir, is_specimen
from casebook.report.display import (
    SPECIMEN_WARNING,
    DataSources,
    SafeHTML,
    data_sources,
    enable_figure_alt_text,
    figure_alt_text,
    render_ledger,
    show_table,
    specimen_banner,
)
from casebook.report.export import export_csv
from casebook.report.findings import (
    FINDING_COLUMNS,
    findings_path,
    load_findings,
    record_findings,
)
from casebook.report.pages import (
    CONTENT_SECURITY_POLICY,
    SAFE_OUTPUT_TYPES,
    html_page,
    notebook_html,
    sanitise_html,
)

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DATA_SUFFIXES",
    "DataSources",
    "FINDING_COLUMNS",
    "SAFE_OUTPUT_TYPES",
    "SPECIMEN_WARNING",
    "SafeHTML",
    "data_sources",
    "enable_figure_alt_text",
    "export_csv",
    "figure_alt_text",
    "find_datasets",
    "findings_path",
    "html_page",
    "is_release_dir",
    "is_specimen",
    "load_findings",
    "notebook_html",
    "record_findings",
    "render_ledger",
    "sanitise_html",
    "show_table",
    "specimen_banner",
]
