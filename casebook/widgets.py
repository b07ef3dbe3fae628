"""The interactive explorer: from an account to its tweets and its coordination neighbours.

:func:`explore` returns an ipywidgets app for JupyterLab: an account picker (most
active first, with a text filter), a profile card, the account's activity timeline, a
paginated table of its tweets filtered by date range, language and a keyword or
``#hashtag`` query, and its coordination neighbours; clicking a neighbour shows the
tweet pairs behind the edge and a button that opens the neighbour.

Everything the app does is a method of :class:`Explorer`, which the widget callbacks
call and which tests drive without a browser. ``Explorer`` sorts the tweets once by
(account, time, tweet id) and keeps per-tweet arrays (time, language code, lowercased
text and hashtags, client class) in that order, so every account is one contiguous
slice and every filter is a numpy/pyarrow boolean mask on that slice.

Archive text is hostile: every tweet, name and description shown is HTML-escaped
(:func:`casebook.safety.escape_html`) after its links were defanged
(:func:`casebook.safety.defang_url`) and its bidi controls and invisible characters
shown as ``<U+202E>`` (:func:`casebook.safety.reveal_invisible`); every HTML it shows
is marked so that MathJax typesets no ``$`` in it (:func:`casebook.safety.no_math`),
and every figure label is literal text (:func:`casebook._plotting.literal_text`).

Static or interactive
---------------------
Widgets do not survive a papermill or nbval run (nobody renders them, and their state
would make the stored outputs unstable). :func:`explore_or_summary` therefore shows the
app only in a live JupyterLab kernel and otherwise the deterministic
:func:`static_summary`. The rule, in order (:func:`static_mode`):

1. ``CASEBOOK_STATIC=1`` (or ``true``/``yes``) -> static; ``CASEBOOK_STATIC=0`` (or
   ``false``/``no``) -> interactive, whatever else holds;
2. not inside a Jupyter kernel (plain Python, a terminal IPython) -> static;
3. the kernel was launched by papermill, pytest (nbval), nbclient, ``jupyter nbconvert``,
   ``jupyter execute`` or ``casebook`` (the program of the launching process,
   ``$JPY_PARENT_PID``, also as ``python -m X``), or with ``--nbval`` -> static;
4. the kernel was not started by a Jupyter server (``$JPY_SESSION_NAME``, which
   jupyter_server sets for the kernels of its notebooks, is missing) -> static;
5. otherwise interactive.

``casebook run`` and the nbval command should set ``CASEBOOK_STATIC=1`` explicitly;
rules 3 and 4 catch runs that forget.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from casebook import accounts, safety
from casebook._frames import (
    ReleaseLike,
    hashed_flags,
    is_hashed_id,
    join_lists,
    rows_sharing_key,
    sorted_codes,
)
from casebook._plotting import freq_label
from casebook.activity import _take_rows, infer_utc_offset, plot_volume, retweet_mask
from casebook.content import (
    CLIENT_CLASS_ORDER,
    classify_clients,
    language_labels,
    shared_retweets,
)
from casebook.schema import STRING

__all__ = [
    "ALL_LANGUAGES",
    "STATIC_ENV",
    "Explorer",
    "account_labels",
    "explore",
    "explore_or_summary",
    "static_mode",
    "static_summary",
    "tweets_html",
]

#: Environment variable that forces the static summary (``1``) or the app (``0``).
STATIC_ENV = "CASEBOOK_STATIC"
#: Language dropdown entry that keeps every language.
ALL_LANGUAGES = "(all)"
#: Programs whose kernels get the static summary (``python -m X`` and ``jupyter X`` too).
_LAUNCHERS = frozenset({"papermill", "pytest", "py.test", "nbval", "nbclient",
                        "jupyter-nbconvert", "jupyter-execute", "casebook"})
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_NS_PER_DAY = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min  # NaT as int64
#: Tweet columns the coordination kinds read (what edge evidence needs).
_EVIDENCE_INPUT = ("tweetid", "userid", "tweet_time", "tweet_text", "is_retweet",
                   "retweet_tweetid", "in_reply_to_tweetid", "urls", "hashtags",
                   "user_mentions")
#: Accounts with fewer tweets get no time-zone inference.
MIN_TWEETS_FOR_OFFSET = 50
#: The time-zone inference of bigger accounts uses a seeded sample of this many tweets.
MAX_TWEETS_FOR_OFFSET = 20_000

_CSS = """<style>
.casebook-table table, .casebook-evidence table {border-collapse: collapse; font-size: 12px;}
.casebook-table td, .casebook-table th, .casebook-evidence td, .casebook-evidence th
  {border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top;}
.casebook-card {font-size: 13px; line-height: 1.35;}
</style>"""


# --------------------------------------------------------------------------- labels, html


def account_labels(userids: pd.Series, screen_names: pd.Series,
                   hashed: pd.Series | None = None) -> pd.Series:
    """Short display names: ``@screen_name``, or an abbreviated hash for hashed accounts.

    Parameters
    ----------
    userids, screen_names
        Aligned Series.
    hashed
        Whether each account was hashed; default: the userid is not a decimal number.

    Returns
    -------
    string Series, e.g. ``@HispanTV`` or ``#7WTYPcAG…`` (the first 8 characters of the
    hash). Bidi controls and invisible characters in a screen name are shown as
    ``<U+202E>``; otherwise labels are raw text: escape them before putting them into
    HTML.

    Examples
    --------
    >>> account_labels(pd.Series(["123", "7WTYPcAGruW7Zt="]),
    ...                pd.Series(["news", "7WTYPcAGruW7Zt="])).tolist()
    ['@news', '#7WTYPcAG…']
    """
    uid = userids.astype(STRING)
    if hashed is None:
        hashed = is_hashed_id(uid)
    hashed = pd.Series(hashed, index=uid.index).astype("boolean").fillna(True).astype(bool)
    name = screen_names.astype(STRING).reindex(uid.index)
    named = "@" + name
    short = "#" + uid.str.slice(0, 8) + "…"
    out = named.where(~hashed & name.notna(), short)
    return safety.reveal_invisible(out.fillna(uid).astype(STRING))


def _safe(text: pd.Series, *, prose: bool = True) -> pd.Series:
    """Reveal invisible characters, defang links, escape HTML, keep line breaks
    visible; missing -> empty."""
    shown = safety.reveal_invisible(text.astype(STRING).fillna(""), prose=prose)
    escaped = safety.escape_html(safety.defang_url(shown))
    return escaped.str.replace("\n", "<br>", regex=False)


def _join_list(values: pd.Series, *, prefix: str = "") -> pd.Series:
    """``list<string>`` column -> one space-separated string per row (in pyarrow)."""
    out = join_lists(values, " " + prefix)
    return (prefix + out).where(out.fillna("") != "", "")


def tweets_html(tweets: pd.DataFrame, *, labels: pd.Series | None = None,
                max_rows: int | None = None) -> str:
    """An HTML table of tweets, every text escaped and every link defanged.

    Parameters
    ----------
    tweets
        Rows of ``Release.tweets`` in the order to show.
    labels
        Account labels indexed by userid (see :func:`account_labels`); adds an
        ``account`` column when given.
    max_rows
        Show at most this many rows.

    Returns
    -------
    str
        ``<table>`` with columns ``time (UTC)``, [``account``], ``type``, ``lang``,
        ``text``, ``hashtags``, ``links``, ``likes``, ``retweets``.
    """
    rows = tweets if max_rows is None else tweets.head(max_rows)
    if not len(rows):
        return "<p><i>No tweets match.</i></p>"
    def present(column: str) -> np.ndarray:
        return (rows[column].notna().to_numpy(bool) if column in rows
                else np.zeros(len(rows), dtype=bool))

    def text(column: str) -> pd.Series:
        return rows[column] if column in rows else pd.Series(pd.NA, index=rows.index,
                                                             dtype=STRING)

    def count(column: str) -> pd.Series:
        return text(column).astype("Int64").astype(STRING).fillna("")

    kind = np.select([retweet_mask(rows).to_numpy(bool), present("in_reply_to_tweetid"),
                      present("quoted_tweet_tweetid")], ["retweet", "reply", "quote"], "tweet")
    cells: dict[str, Any] = {"time (UTC)": rows["tweet_time"].dt.strftime("%Y-%m-%d %H:%M")
                             .fillna("")}
    if labels is not None:
        cells["account"] = _safe(
            rows["userid"].map(labels).astype(STRING).fillna(rows["userid"]), prose=False)
    cells |= {
        "type": kind,
        "lang": _safe(text("tweet_language"), prose=False),
        "text": _safe(text("tweet_text")),
        "hashtags": (_safe(_join_list(rows["hashtags"], prefix="#"), prose=False)
                     if "hashtags" in rows else ""),
        "links": _safe(_join_list(rows["urls"]), prose=False) if "urls" in rows else "",
        "likes": count("like_count"),
        "retweets": count("retweet_count"),
    }
    return _html_table(pd.DataFrame(cells, index=rows.index))


def _html_table(frame: pd.DataFrame) -> str:
    """Cells are already safe HTML; build the table with vectorised string joins."""
    head = "".join(f"<th>{safety.escape_html(str(c))}</th>" for c in frame.columns)
    body = pd.Series("", index=frame.index, dtype=STRING)
    for column in frame.columns:  # a loop over the columns, vectorised over rows
        body = body + "<td>" + frame[column].astype(STRING).fillna("") + "</td>"
    rows = ("<tr>" + body + "</tr>").str.cat(sep="\n")
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{rows}\n</tbody></table>"


# --------------------------------------------------------------------------- static mode


def _launcher_cmdline() -> list[str]:
    """Arguments of the process that launched this kernel (empty when unknown)."""
    pid = os.environ.get("JPY_PARENT_PID") or str(os.getppid())
    try:
        raw = Path(f"/proc/{int(pid)}/cmdline").read_bytes()
    except (OSError, ValueError):
        return []
    return [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]


def _program(args: Sequence[str]) -> str:
    """The program a command line runs: ``python -m X`` -> X, ``jupyter X`` -> jupyter-X."""
    if not args:
        return ""
    prog = Path(args[0]).name.lower()
    rest = list(args[1:])
    if prog.startswith("python"):
        while rest and rest[0].startswith("-") and rest[0] != "-m":
            rest.pop(0)
        if len(rest) >= 2 and rest[0] == "-m":
            return rest[1].lower()
        if not rest:
            return prog
        prog, rest = Path(rest[0]).name.lower(), rest[1:]
    if prog == "jupyter" and rest:
        return f"jupyter-{rest[0].lower()}"
    return prog


def static_mode() -> bool:
    """Whether :func:`explore_or_summary` shows the static summary (see the module docs).

    Examples
    --------
    >>> static_mode()  # plain Python, not a live JupyterLab kernel  # doctest: +SKIP
    True
    """
    flag = os.environ.get(STATIC_ENV, "").strip().lower()
    if flag in _TRUE:
        return True
    if flag in _FALSE:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
        return True
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return True
    args = _launcher_cmdline()
    if _program(args) in _LAUNCHERS or any(a.startswith("--nbval") for a in args):
        return True
    return not os.environ.get("JPY_SESSION_NAME")


# --------------------------------------------------------------------------- neighbours


def _as_tweets(data: Any) -> pd.DataFrame:
    return data.tweets if hasattr(data, "tweets") else data


def _control_max_weights(control: Any, kind: str, window: Any) -> tuple[np.ndarray, int]:
    """Each control account's heaviest edge of ``kind`` (sorted), and the cohort size."""
    from casebook.coordination import account_max_weight, coordination_network

    tweets = _as_tweets(control)
    edges = coordination_network(tweets, kind=kind, window=window, min_weight=1)
    maxw = np.sort(account_max_weight(edges).to_numpy(dtype=np.int64))
    return maxw, int(tweets["userid"].nunique())


# --------------------------------------------------------------------------- the explorer


class Explorer:
    """The explorer's state and widgets; :func:`explore` returns ``Explorer(...).widget``.

    Parameters
    ----------
    release
        A :class:`casebook.Release` (``tweets`` and ``users``).
    network
        Coordination edges ``source, target, weight`` (and ``kind``), e.g. from
        :func:`casebook.coordination.coordination_network`. When None, each account's
        ``co_retweet`` neighbours are computed on demand (on the tweets that retweeted
        what the account retweeted) and cached.
    control
        A control release (or its tweets): each neighbour then shows
        ``control_share``, the share of ordinary accounts that have an edge of that
        kind at least as heavy (lower is more telling).
    kind, window, min_weight
        Kind, window and weight threshold of the on-demand network, and the window of
        the evidence tweets (use the ones ``network`` was built with).
    page_size
        Tweets per table page.
    max_neighbours
        Neighbour buttons shown (heaviest first).
    workdays
        The operators' working week for the time-zone inference: ``"mon-fri"``,
        ``"sat-wed"`` (Iran), or weekday numbers (Monday = 0).

    Attributes
    ----------
    userid : str or None
        The account shown.
    accounts : pandas.DataFrame
        Picker rows ``userid, label, user_display_name, tweets, hashed, option, search``,
        most tweets first (accounts without tweets last); the filter box matches
        ``search`` (label, display name and userid, case-folded).
    n_rows : int
        Tweets of the account that pass the filters.
    rows, page_rows : pandas.DataFrame
        All filtered tweets (built on access) and the ones on the current page.
    page : int
        Current page (0-based).
    neighbours : pandas.DataFrame
        ``userid, label, weight, out_weight, in_weight, kind, kinds[, control_share]``.
    evidence : pandas.DataFrame
        Tweet pairs behind the edge last shown by :meth:`show_neighbour`.
    widget : ipywidgets.VBox
        The app.
    """

    def __init__(self, release: ReleaseLike, *, network: pd.DataFrame | None = None,
                 control: Any = None, kind: str = "co_retweet", window: str = "1min",
                 min_weight: int = 2, page_size: int = 20, max_neighbours: int = 20,
                 workdays: str | Sequence[int] = "mon-fri") -> None:
        self.release = release
        self.kind, self.window, self.min_weight = kind, window, int(min_weight)
        self.page_size, self.max_neighbours = int(page_size), int(max_neighbours)
        self.workdays = workdays if isinstance(workdays, str) else tuple(workdays)
        self.control = control
        self._updating = False
        self._index(release.tweets)
        self._account_table(release)
        self._network(network)
        self._profile_cache: dict[str, str] = {}
        self._timeline_cache: dict[str, bytes] = {}
        self._neighbour_cache: dict[str, pd.DataFrame] = {}
        self._control_cache: dict[str, tuple[np.ndarray, int]] = {}
        self.userid: str | None = None
        self.date_range: tuple[pd.Timestamp | None, pd.Timestamp | None] | None = None
        self.language: str = ALL_LANGUAGES
        self.query: str = ""
        self.page = 0
        self._positions = np.zeros(0, np.int64)
        self.neighbours = accounts.neighbours(pd.DataFrame(), "", kind=kind)
        self.evidence = pd.DataFrame()
        self.evidence_userid: str | None = None
        self._build_widgets()
        if len(self.accounts):
            self.select_account(str(self.accounts["userid"].iloc[0]))

    # ----------------------------------------------------------------- precompute

    def _index(self, tweets: pd.DataFrame) -> None:
        """Sort once by (userid, time, tweetid); per-tweet arrays in that order."""
        self._tweets = tweets
        time_ns = pd.DatetimeIndex(tweets["tweet_time"]).as_unit("ns").asi8
        # accounts as ranks in the order of their ids (a categorical's are found from its
        # codes), so one sort of integers puts the tweets in (userid, time, tweetid) order
        ucode, uniques = sorted_codes(tweets["userid"])
        table = pa.table({
            "u": pa.array(ucode, mask=ucode < 0),
            "t": pa.array(time_ns, mask=np.asarray(tweets["tweet_time"].isna())),
            "i": pa.array(tweets["tweetid"].astype(STRING), type=pa.string()),
        })
        order = pc.sort_indices(table, sort_keys=[(k, "ascending", "at_end") for k in "uti"])
        self._order = order.to_numpy().astype(np.int64)
        codes = ucode[self._order]
        valid = codes >= 0
        n_valid = int(valid.sum())  # nulls sort last
        starts = np.flatnonzero(np.r_[True, codes[1:n_valid] != codes[:n_valid - 1]]) \
            if n_valid else np.zeros(0, np.int64)
        stops = np.r_[starts[1:], n_valid].astype(np.int64)
        self._bounds: dict[str, tuple[int, int]] = dict(
            zip(uniques.take(pa.array(codes[starts])).to_pylist() if n_valid else [],
                zip(starts.tolist(), stops.tolist(), strict=True), strict=True))
        self._time_ns = time_ns[self._order]  # NaT is the smallest int64
        lang_codes, self._lang_names = pd.factorize(language_labels(tweets["tweet_language"]))
        self._lang = lang_codes[self._order]
        # the search reads one account's texts and hashtags, lower-cased when first
        # searched (lower-casing every tweet up front took 2.7 s of building the explorer
        # on the scale-8 specimen's 4.5M tweets, and held a second copy of the texts)
        self._raw_text = pa.array(tweets["tweet_text"].astype(STRING), type=pa.string())
        self._raw_tags = pa.array(tweets["hashtags"], type=pa.list_(pa.string()))
        self._searched: tuple[tuple[int, int], pa.Array, pa.Array] | None = None
        client_class = classify_clients(tweets)
        class_codes = pd.Categorical(client_class, categories=list(CLIENT_CLASS_ORDER)).codes
        self._client_class = class_codes[self._order]
        client = tweets["tweet_client_name"]
        if isinstance(client.dtype, pd.CategoricalDtype):  # named on its codes, not per tweet
            if "(missing)" not in client.cat.categories:
                client = client.cat.add_categories(["(missing)"])
            client_codes, names = pd.factorize(client.fillna("(missing)"))
            self._client_names = pd.Index(np.asarray(names, dtype=object), dtype=STRING)
        else:
            client_codes, self._client_names = pd.factorize(
                client.astype(STRING).fillna("(missing)"))
        self._client = client_codes[self._order]
        rt_codes, _ = pd.factorize(tweets["retweet_tweetid"].astype(STRING))
        self._rt_key = rt_codes[self._order]
        self._is_rt = retweet_mask(tweets).to_numpy(dtype=bool)[self._order]

    def _account_table(self, release: ReleaseLike) -> None:
        ranked = accounts.top_accounts(release, n=None)
        users = release.users
        idle = users.loc[~users["userid"].isin(ranked["userid"]).fillna(False)]
        idle = idle.assign(tweets=0).sort_values("userid", kind="stable")
        idle = idle.assign(hashed=hashed_flags(idle))
        cols = ["userid", "user_screen_name", "user_display_name", "tweets", "hashed"]
        idle = idle.reindex(columns=cols)
        table = pd.concat([ranked[cols], idle[cols]], ignore_index=True).astype(
            {"userid": STRING, "user_screen_name": STRING, "user_display_name": STRING,
             "tweets": "int64", "hashed": "boolean"})
        table = table.dropna(subset=["userid"]).drop_duplicates("userid").reset_index(drop=True)
        table["label"] = account_labels(table["userid"], table["user_screen_name"],
                                        table["hashed"])
        counts = table["tweets"].map("{:,}".format)
        table["option"] = table["label"] + " · " + counts + " tweets"
        table["search"] = (table["option"] + " " + table["user_display_name"].fillna("") + " "
                           + table["userid"]).str.casefold()
        self.accounts = table[["userid", "label", "user_display_name", "tweets", "hashed",
                               "option", "search"]]
        self._labels = self.accounts.set_index("userid")["label"]
        users_idx = users.drop_duplicates("userid").set_index("userid")
        self._users = users_idx

    def _network(self, network: pd.DataFrame | None) -> None:
        self.network = network
        if network is None:
            self._by_source = self._by_target = {}
            return
        edges = network.reset_index(drop=True)
        self.network = edges
        self._by_source = edges.groupby("source", sort=False).indices
        self._by_target = edges.groupby("target", sort=False).indices

    # ----------------------------------------------------------------- widgets

    def _build_widgets(self) -> None:
        import ipywidgets as w

        self.account_filter = w.Text(placeholder="filter accounts (name, hash, userid)",
                                     description="Find", continuous_update=True,
                                     layout=w.Layout(width="340px"))
        self.picker = w.Select(options=self._picker_options(""), rows=12,
                               layout=w.Layout(width="340px"))
        self.picker.add_class("casebook-picker")
        self.profile = w.HTML()
        self.profile.add_class("casebook-card")
        self.timeline = w.Image(format="png", layout=w.Layout(max_width="900px"))
        self.timeline.add_class("casebook-timeline")
        self.date_slider = w.SelectionRangeSlider(
            options=[("-", 0)], index=(0, 0), description="Dates", readout=False,
            continuous_update=False, layout=w.Layout(width="420px"))
        self.date_slider.add_class("casebook-dates")
        self.date_label = w.HTML()
        self.date_label.add_class("casebook-date-label")
        self.language_menu = w.Dropdown(options=[ALL_LANGUAGES], value=ALL_LANGUAGES,
                                        description="Language", layout=w.Layout(width="220px"))
        self.language_menu.add_class("casebook-language")
        self.query_box = w.Text(placeholder="keyword or #hashtag", description="Search",
                                continuous_update=False, layout=w.Layout(width="300px"))
        self.query_box.add_class("casebook-query")
        self.status = w.HTML()
        self.status.add_class("casebook-status")
        self.prev_button = w.Button(description="◀ previous", layout=w.Layout(width="110px"))
        self.next_button = w.Button(description="next ▶", layout=w.Layout(width="110px"))
        self.table = w.HTML()
        self.table.add_class("casebook-table")
        self.neighbour_box = w.VBox()
        self.neighbour_box.add_class("casebook-neighbours")
        self.evidence_html = w.HTML()
        self.evidence_html.add_class("casebook-evidence")
        self.open_button = w.Button(description="Open neighbour", disabled=True,
                                    button_style="info", layout=w.Layout(width="auto"))
        self.open_button.add_class("casebook-open")

        self.account_filter.observe(self._on_filter, names="value")
        self.picker.observe(self._on_pick, names="value")
        self.date_slider.observe(self._on_dates, names="index")
        self.language_menu.observe(self._on_language, names="value")
        self.query_box.observe(self._on_query, names="value")
        self.prev_button.on_click(lambda _: self.set_page(self.page - 1))
        self.next_button.on_click(lambda _: self.set_page(self.page + 1))
        self.open_button.on_click(self._on_open)

        style = w.HTML(_CSS)
        left = w.VBox([self.account_filter, self.picker],
                      layout=w.Layout(width="360px", flex="0 0 auto"))
        self.profile.layout = w.Layout(flex="1 1 auto", margin="0 0 0 12px")
        top = w.HBox([left, self.profile])
        filters = w.VBox([w.HBox([self.date_slider, self.date_label]),
                          w.HBox([self.language_menu, self.query_box])])
        pager = w.HBox([self.prev_button, self.next_button, self.status])
        neighbours = w.VBox([w.HTML("<b>Coordination neighbours</b>"), self.neighbour_box],
                            layout=w.Layout(width="340px"))
        evidence = w.VBox([self.open_button, self.evidence_html])
        self.widget = w.VBox([style, top, self.timeline, filters, pager, self.table,
                              w.HBox([neighbours, evidence])])
        self.widget.add_class("casebook-explorer")
        for name in safety.NO_MATH_CLASSES.split():  # MathJax skips the whole app
            self.widget.add_class(name)
        self.widget.explorer = self  # type: ignore[attr-defined]

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """Widget changes made by the explorer itself do not re-enter the callbacks."""
        before, self._updating = self._updating, True
        try:
            yield
        finally:
            self._updating = before

    def _picker_options(self, text: str) -> list[tuple[str, str]]:
        table = self.accounts
        if text.strip():
            hit = table["search"].str.contains(text.strip().casefold(), regex=False)
            table = table.loc[hit.fillna(False).to_numpy(bool)]
        return list(zip(table["option"].tolist(), table["userid"].tolist(), strict=True))

    def _on_filter(self, change: dict[str, Any]) -> None:
        if not self._updating:
            self.filter_accounts(change["new"])

    def _on_pick(self, change: dict[str, Any]) -> None:
        if not self._updating and change["new"] is not None:
            self.select_account(change["new"])

    def _on_dates(self, change: dict[str, Any]) -> None:
        if self._updating or self.userid is None:
            return
        lo, hi = change["new"]
        periods = self._periods
        if lo == 0 and hi == len(periods) - 1:
            self.set_date_range(None, None)
        else:
            end = periods[hi] + self._period_step - pd.Timedelta(days=1)
            self.set_date_range(periods[lo], end)

    def _on_open(self, _: Any) -> None:
        if self.evidence_userid is not None:
            self.open_neighbour(self.evidence_userid)

    def _on_language(self, change: dict[str, Any]) -> None:
        if not self._updating:
            self.set_language(change["new"])

    def _on_query(self, change: dict[str, Any]) -> None:
        if not self._updating:
            self.set_query(change["new"])

    # ----------------------------------------------------------------- public actions

    def filter_accounts(self, text: str) -> list[str]:
        """Keep the picker entries whose label or userid contains ``text``; returns their ids."""
        options = self._picker_options(text)
        with self._quiet():
            if self.account_filter.value != text:
                self.account_filter.value = text
            self.picker.options = options
            ids = [v for _, v in options]
            self.picker.value = self.userid if self.userid in ids else None
        return [v for _, v in options]

    def select_account(self, userid: str) -> None:
        """Show ``userid``: profile, timeline, tweets (filters reset), neighbours."""
        userid = str(userid)
        if userid not in set(self.accounts["userid"]):
            raise KeyError(f"no account {userid!r} in this release")
        self.userid = userid
        with self._quiet():
            if userid not in [v for _, v in self.picker.options]:
                self.account_filter.value = ""
                self.picker.options = self._picker_options("")
            self.picker.value = userid
        self.date_range, self.language = None, ALL_LANGUAGES
        self._reset_controls()
        self.profile.value = self._profile_html(userid)
        self.timeline.value = self._timeline_png(userid)
        self._filter()
        self._show_neighbours()

    def set_date_range(self, start: Any, end: Any) -> None:
        """Keep tweets from the day of ``start`` to the day of ``end``, both included (UTC).

        ``None`` leaves that end open; ``None`` for both clears the filter. Naive
        values are UTC.
        """
        def day(value: Any) -> pd.Timestamp | None:
            if value is None:
                return None
            ts = pd.Timestamp(value)
            return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).floor("D")

        lo, hi = day(start), day(end)
        self.date_range = None if lo is None and hi is None else (lo, hi)
        self._sync_slider()
        self._filter()

    def set_language(self, language: str | None) -> None:
        """Keep tweets in ``language`` (a code as listed, ``(empty)``, or ``(all)``/None)."""
        language = ALL_LANGUAGES if language in (None, "") else str(language)
        if language != ALL_LANGUAGES and language not in set(self._lang_names):
            raise ValueError(f"unknown language {language!r}")
        self.language = language
        with self._quiet():
            if language not in self.language_menu.options:
                self.language_menu.options = [*self.language_menu.options, language]
            self.language_menu.value = language
        self._filter()

    def set_query(self, text: str | None) -> None:
        """Keep tweets whose text contains ``text`` (any case); ``#tag`` matches a hashtag."""
        self.query = (text or "").strip()
        with self._quiet():
            self.query_box.value = self.query
        self._filter()

    def set_page(self, page: int) -> None:
        """Show page ``page`` (0-based, clipped to the pages there are)."""
        self.page = int(min(max(page, 0), max(self.n_pages - 1, 0)))
        self._render_table()

    def show_neighbour(self, userid: str) -> pd.DataFrame:
        """Show the tweet pairs behind the edge between the account and ``userid``."""
        userid = str(userid)
        row = self.neighbours.loc[self.neighbours["userid"] == userid]
        if self.userid is None or not len(row):
            raise KeyError(f"{userid!r} is not a neighbour of the account shown")
        from casebook.coordination import edge_evidence

        me = self.userid
        out_w, in_w = int(row["out_weight"].iloc[0]), int(row["in_weight"].iloc[0])
        source, target = (me, userid) if out_w >= in_w else (userid, me)
        kinds = str(row["kinds"].iloc[0]).split(", ")
        parts = [edge_evidence(self._pair_tweets(me, userid, k), source, target, kind=k,
                               window=self.window) for k in kinds]
        self.evidence = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        self.evidence_userid = userid
        self.evidence_html.value = safety.no_math(
            self._evidence_html(self.evidence, source, target))
        label = safety.reveal_invisible(self._labels.get(userid, userid))
        self.open_button.description = f"Open {label}"
        self.open_button.disabled = False
        return self.evidence

    def open_neighbour(self, userid: str) -> None:
        """Make ``userid`` the account shown (sets the picker)."""
        self.select_account(userid)

    # ----------------------------------------------------------------- state

    @property
    def n_rows(self) -> int:
        return int(len(self._positions))

    @property
    def n_pages(self) -> int:
        return max(1, -(-self.n_rows // self.page_size))

    @property
    def rows(self) -> pd.DataFrame:
        return self._tweets.iloc[self._order[self._positions]]

    @property
    def page_rows(self) -> pd.DataFrame:
        start = self.page * self.page_size
        return self._tweets.iloc[self._order[self._positions[start:start + self.page_size]]]

    @property
    def languages(self) -> list[str]:
        """Languages of the account's tweets, most frequent first (the dropdown entries)."""
        return [v for v in self.language_menu.options if v != ALL_LANGUAGES]

    @property
    def table_html(self) -> str:
        return self.table.value

    # ----------------------------------------------------------------- internals

    def _search_columns(self, s: int, e: int) -> tuple[pa.Array, pa.Array]:
        """The lower-cased texts and ``|tag|tag|`` hashtags of sorted positions ``s:e``
        (one account's tweets), kept for the account last searched."""
        if self._searched is None or self._searched[0] != (s, e):
            at = pa.array(self._order[s:e])
            text = pc.utf8_lower(pc.fill_null(pc.take(self._raw_text, at), ""))
            joined = pc.fill_null(pc.utf8_lower(pc.binary_join(pc.take(self._raw_tags, at), "|")), "")
            self._searched = ((s, e), text, pc.binary_join_element_wise("", joined, "", "|"))
        return self._searched[1], self._searched[2]

    def _slice(self, userid: str) -> tuple[int, int]:
        return self._bounds.get(userid, (0, 0))

    def _account_positions(self, userid: str) -> np.ndarray:
        s, e = self._slice(userid)
        return self._order[s:e]

    def _pair_tweets(self, a: str, b: str, kind: str) -> pd.DataFrame:
        """The two accounts' tweets an edge of ``kind`` can involve (few columns)."""
        sa, ea = self._slice(a)
        sb, eb = self._slice(b)
        pos = np.r_[np.arange(sa, ea), np.arange(sb, eb)]
        if kind == "co_retweet":  # only retweets of tweets both accounts retweeted
            shared = np.intersect1d(self._rt_key[sa:ea], self._rt_key[sb:eb])
            pos = pos[np.isin(self._rt_key[pos], shared[shared >= 0])]
        columns = [c for c in _EVIDENCE_INPUT if c in self._tweets.columns]
        return self._tweets[columns].iloc[self._order[pos]]

    def _account_frame(self, userid: str) -> pd.DataFrame:
        """The account's ``tweet_time`` and retweet flag, from the precomputed arrays."""
        s, e = self._slice(userid)
        times = self._time_ns[s:e]
        return pd.DataFrame({
            "tweet_time": pd.to_datetime(np.where(times == _NAT, np.datetime64("NaT"),
                                                  times.view("datetime64[ns]")), utc=True),
            "userid": np.zeros(e - s, dtype=np.int8),  # one account (volume counts authors)
            "is_retweet": self._is_rt[s:e],
        })

    def _reset_controls(self) -> None:
        """Slider periods (days, or months beyond 400 days) and languages of the account."""
        s, e = self._slice(self.userid or "")
        times = self._time_ns[s:e]
        times = times[times != _NAT]
        if len(times):
            first = pd.Timestamp(int(times.min()), tz="UTC").floor("D")
            last = pd.Timestamp(int(times.max()), tz="UTC").floor("D")
            if (last - first).days <= 400:
                periods = pd.date_range(first, last, freq="D")
                self._period_step, fmt = pd.DateOffset(days=1), "%Y-%m-%d"
            else:
                periods = pd.date_range(first.replace(day=1), last, freq="MS")
                self._period_step, fmt = pd.DateOffset(months=1), "%Y-%m"
            labels = list(periods.strftime(fmt))
        else:
            periods, labels = pd.DatetimeIndex([pd.Timestamp(0, tz="UTC")]), ["-"]
            self._period_step = pd.DateOffset(days=1)
        self._periods = periods
        counts = np.bincount(self._lang[s:e], minlength=len(self._lang_names))
        present = np.flatnonzero(counts)
        names = self._lang_names[present].astype(str)
        ordered = names[np.lexsort((names, -counts[present]))]
        with self._quiet():
            self.date_slider.options = list(zip(labels, range(len(labels)), strict=True))
            self.date_slider.index = (0, len(labels) - 1)
            self.date_slider.disabled = not len(times)
            self.language_menu.options = [ALL_LANGUAGES, *map(str, ordered)]
            self.language_menu.value = ALL_LANGUAGES
            self.query_box.value = self.query

    def _sync_slider(self) -> None:
        periods = self._periods
        with self._quiet():
            if self.date_range is None or not len(periods):
                self.date_slider.index = (0, len(periods) - 1)
                return
            lo, hi = self.date_range
            i = 0 if lo is None else int(
                np.clip(periods.searchsorted(lo, side="right") - 1, 0, len(periods) - 1))
            j = len(periods) - 1 if hi is None else int(
                np.clip(periods.searchsorted(hi, side="right") - 1, i, len(periods) - 1))
            self.date_slider.index = (i, j)

    def _filter(self) -> None:
        s, e = self._slice(self.userid or "")
        mask = np.ones(e - s, dtype=bool)
        if self.date_range is not None:
            lo, hi = self.date_range
            t = self._time_ns[s:e]
            mask &= t != _NAT
            if lo is not None:
                mask &= t >= lo.value
            if hi is not None:
                mask &= t < hi.value + _NS_PER_DAY
        if self.language != ALL_LANGUAGES:
            code = int(self._lang_names.get_loc(self.language))
            mask &= self._lang[s:e] == code
        if self.query:
            needle = self.query.lower()
            text, tags = self._search_columns(s, e)
            if needle.startswith("#") and len(needle) > 1:
                hit = pc.match_substring(tags, f"|{needle[1:]}|")
            else:
                hit = pc.or_(pc.match_substring(text, needle), pc.match_substring(tags, needle))
            mask &= hit.to_numpy(zero_copy_only=False).astype(bool)
        self._positions = s + np.flatnonzero(mask)
        self.page = 0
        self._render_table()
        if self.date_range is None:
            self.date_label.value = "all dates"
        else:
            lo, hi = ("…" if d is None else d.strftime("%Y-%m-%d") for d in self.date_range)
            self.date_label.value = f"{lo} to {hi} (UTC)"

    def _render_table(self) -> None:
        total = self._slice(self.userid or "")
        n_all = total[1] - total[0]
        start = self.page * self.page_size
        shown = self.page_rows
        self.table.value = safety.no_math(tweets_html(shown))
        lo, hi = (start + 1, start + len(shown)) if len(shown) else (0, 0)
        self.status.value = (f"tweets {lo:,}–{hi:,} of {self.n_rows:,} matching "
                             f"({n_all:,} by this account) · page {self.page + 1} of "
                             f"{self.n_pages}")
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= self.n_pages - 1

    def _profile_html(self, userid: str) -> str:
        if userid in self._profile_cache:
            return self._profile_cache[userid]
        s, e = self._slice(userid)
        profile = self._users.loc[userid] if userid in self._users.index else pd.Series(
            dtype=object)
        if not len(profile) and e > s:
            profile = self._tweets.iloc[self._order[s]]

        def field(name: str) -> str:
            value = profile.get(name, pd.NA)
            if pd.api.types.is_scalar(value) and pd.isna(value):
                return "–"
            if isinstance(value, pd.Timestamp):
                return value.strftime("%Y-%m-%d")
            if isinstance(value, int | np.integer):
                return f"{int(value):,}"
            shown = safety.reveal_invisible(str(value), prose=name.endswith("description"))
            # <bdi>: a right-to-left name cannot reorder the counts printed after it
            return f"<bdi>{safety.escape_html(safety.defang_url(shown))}</bdi>"

        hashed = bool(self.accounts.set_index("userid").loc[userid, "hashed"])
        n = e - s
        classes = np.bincount(self._client_class[s:e][self._client_class[s:e] >= 0],
                              minlength=len(CLIENT_CLASS_ORDER))
        mix = " · ".join(f"{name} {c / n:.0%}" for name, c in zip(CLIENT_CLASS_ORDER, classes,
                                                                   strict=True) if c) or "–"
        names = np.bincount(self._client[s:e], minlength=len(self._client_names))
        top = np.argsort(-names, kind="stable")[:3]
        top_clients = ", ".join(
            f"<bdi>{safety.escape_html(safety.reveal_invisible(str(self._client_names[i])))}"
            f"</bdi> ({names[i]:,})"
            for i in top if names[i]) or "–"
        if n >= MIN_TWEETS_FOR_OFFSET:
            times = self._account_frame(userid)[["tweet_time"]]
            sampled = ""
            if n > MAX_TWEETS_FOR_OFFSET:  # seeded sample: same answer, a third of the time
                keep = np.random.default_rng(0).choice(n, MAX_TWEETS_FOR_OFFSET, replace=False)
                times = times.iloc[np.sort(keep)]
                sampled = f", from a sample of {MAX_TWEETS_FOR_OFFSET:,} tweets"
            tz = infer_utc_offset(times, workweek=self.workdays, n_boot=100, seed=0).iloc[0]
            offset = (f"{tz['label']} ({tz['verdict']}; office-hours share "
                      f"{tz['office_share']:.0%}, confidence {tz['confidence']:.0%}{sampled})")
        else:
            offset = f"– (fewer than {MIN_TWEETS_FOR_OFFSET} tweets)"
        status = ("hashed (under 5,000 followers: id and names replaced by a hash)"
                  if hashed else "not hashed (5,000 followers or more)")
        html = (
            f"<b>{field('user_display_name')}</b> "
            f"<bdi>{safety.escape_html(str(self._labels.get(userid, userid)))}</bdi><br>"
            f"userid <code>{safety.escape_html(userid)}</code> · {status}<br>"
            f"created {field('account_creation_date')} · followers "
            f"{field('follower_count')} · following {field('following_count')} · "
            f"account language {field('account_language')}<br>"
            f"location: {field('user_reported_location')}<br>"
            f"description: {field('user_profile_description')}<br>"
            f"profile link: {field('user_profile_url')}<br>"
            f"{n:,} tweets · clients: {mix} · top: {top_clients}<br>"
            f"inferred operator time zone: {offset}"
        )
        html = safety.no_math(html)
        self._profile_cache[userid] = html
        return html

    def _timeline_png(self, userid: str) -> bytes:
        if userid not in self._timeline_cache:
            self._timeline_cache[userid] = self._draw_timeline(userid)
        return self._timeline_cache[userid]

    def _draw_timeline(self, userid: str) -> bytes:
        from matplotlib.figure import Figure

        frame = self._account_frame(userid)
        fig = Figure(figsize=(9, 2.4), dpi=80)
        ax = fig.subplots()
        if len(frame):
            span = frame["tweet_time"].max() - frame["tweet_time"].min()
            freq = "D" if span <= pd.Timedelta(days=400) else "W" \
                if span <= pd.Timedelta(days=1500) else "MS"
            plot_volume(frame, freq=freq, ax=ax,
                        title=f"{safety.reveal_invisible(self._labels.get(userid, userid))}: "
                              f"tweets per "
                              f"{freq_label(freq)}")
        else:
            ax.set_title("no tweets")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()

    def _neighbours_of(self, userid: str) -> pd.DataFrame:
        if userid in self._neighbour_cache:
            return self._neighbour_cache[userid]
        if self.network is not None:
            idx = np.concatenate([self._by_source.get(userid, np.zeros(0, np.int64)),
                                  self._by_target.get(userid, np.zeros(0, np.int64))])
            edges = self.network.iloc[np.sort(idx)]
        else:
            edges = self._on_demand_edges(userid)
        frame = accounts.neighbours(edges, userid, kind=self.kind)
        frame.insert(1, "label", frame["userid"].map(self._labels).astype(STRING)
                     .fillna(frame["userid"]))
        if self.control is not None and len(frame):
            share = pd.Series(np.nan, index=frame.index)
            for k in frame["kind"].unique():
                if k not in self._control_cache:
                    self._control_cache[k] = _control_max_weights(self.control, k, self.window)
                maxw, n_ctl = self._control_cache[k]
                sel = frame["kind"] == k
                w = frame.loc[sel, "weight"].to_numpy(np.int64)
                share[sel] = (len(maxw) - np.searchsorted(maxw, w, side="left")) / max(n_ctl, 1)
            frame["control_share"] = share
        self._neighbour_cache[userid] = frame
        return frame

    def _on_demand_edges(self, userid: str) -> pd.DataFrame:
        """``kind`` edges of the account; for ``co_retweet`` computed only on the tweets
        that retweeted what the account retweeted (the precomputed key codes find them)."""
        subset = self._tweets
        if self.kind == "co_retweet":
            # the codes were computed once for every tweet: no string hashing per account
            positions = self._order[rows_sharing_key(self._rt_key, slice(*self._slice(userid)))]
            subset = self._tweets[[c for c in _EVIDENCE_INPUT if c in self._tweets.columns]] \
                .iloc[np.sort(positions)]
        return _edges_touching(subset, [userid], kind=self.kind, window=self.window,
                               min_weight=self.min_weight)

    def _show_neighbours(self) -> None:
        import ipywidgets as w

        self.neighbours = self._neighbours_of(self.userid or "")
        shown = self.neighbours.head(self.max_neighbours)
        buttons = []
        for row in shown.itertuples(index=False):  # at most max_neighbours buttons
            text = f"{row.label} · w={row.weight} (→{row.out_weight} ←{row.in_weight})"
            if "control_share" in shown:
                text += f" · control {row.control_share:.0%}"
            tooltip = safety.reveal_invisible(f"{row.kinds}: {row.userid}")
            button = w.Button(description=text, tooltip=tooltip,
                              layout=w.Layout(width="330px"))
            button.on_click(lambda _, uid=row.userid: self.show_neighbour(uid))
            buttons.append(button)
        if not buttons:
            buttons = [w.HTML("<i>no coordination neighbours</i>")]
        elif len(self.neighbours) > len(shown):
            buttons.append(w.HTML(f"<i>… and {len(self.neighbours) - len(shown):,} more</i>"))
        self.neighbour_box.children = buttons
        self.evidence = pd.DataFrame()
        self.evidence_userid = None
        self.evidence_html.value = "<i>click a neighbour to see the tweets behind the edge</i>"
        self.open_button.description = "Open neighbour"
        self.open_button.disabled = True

    def _evidence_html(self, evidence: pd.DataFrame, source: str, target: str,
                       max_rows: int = 50) -> str:
        src = safety.escape_html(safety.reveal_invisible(str(self._labels.get(source, source))))
        tgt = safety.escape_html(safety.reveal_invisible(str(self._labels.get(target, target))))
        if not len(evidence):
            return f"<p>No tweet pairs behind {src} → {tgt}.</p>"
        rows = evidence.head(max_rows)
        frame = pd.DataFrame({
            "kind": safety.escape_html(rows["kind"].astype(STRING)),
            "key": _safe(rows["key"], prose=False),
            f"{src} (UTC)": rows["source_time"].dt.strftime("%Y-%m-%d %H:%M").fillna(""),
            f"{src} tweet": _safe(rows["source_text"]),
            f"{tgt} (UTC)": rows["target_time"].dt.strftime("%Y-%m-%d %H:%M").fillna(""),
            f"{tgt} tweet": _safe(rows["target_text"]),
        })
        head = (f"<p><b>{src} → {tgt}</b>: {evidence['source_tweetid'].nunique():,} tweets "
                f"of {src} matched by {tgt} within {safety.escape_html(str(self.window))}"
                f" ({len(evidence):,} pairs, first {len(rows)} shown)</p>")
        return head + _html_table(frame)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def explore(release: ReleaseLike, *, network: pd.DataFrame | None = None,
            control: Any = None, **options: Any) -> Any:
    """The interactive explorer of a release, as an ipywidgets app.

    Parameters
    ----------
    release
        A :class:`casebook.Release`.
    network
        Coordination edges (``source, target, weight[, kind]``); None computes each
        account's ``co_retweet`` neighbours on demand.
    control
        A control release: neighbours then show the share of ordinary accounts with
        an edge at least as heavy.
    **options
        Passed to :class:`Explorer` (``page_size``, ``window``, ``min_weight``, ...).

    Returns
    -------
    ipywidgets.VBox
        The app; its :class:`Explorer` is ``app.explorer``.

    Examples
    --------
    >>> app = explore(release, network=edges)  # doctest: +SKIP
    >>> app.explorer.select_account(app.explorer.accounts.userid[1])  # doctest: +SKIP
    """
    return Explorer(release, network=network, control=control, **options).widget


# --------------------------------------------------------------------------- static summary


def _edges_touching(tweets: pd.DataFrame, userids: Sequence[str], *, kind: str,
                    window: Any, min_weight: int) -> pd.DataFrame:
    """Edges of ``kind`` computed on ``tweets`` that have an account of ``userids``."""
    from casebook.coordination import coordination_network

    edges = coordination_network(tweets, kind=kind, window=window, min_weight=min_weight)
    touching = edges["source"].isin(list(userids)) | edges["target"].isin(list(userids))
    return edges.loc[touching.to_numpy(bool)].reset_index(drop=True)


def _co_retweet_edges(tweets: pd.DataFrame, userids: Sequence[str], *, window: Any,
                      min_weight: int) -> pd.DataFrame:
    """``co_retweet`` edges touching ``userids``, computed on the tweets that retweeted
    what those accounts retweeted (the only tweets such an edge can involve)."""
    subset = _take_rows(tweets, shared_retweets(tweets, userids).to_numpy(bool))
    return _edges_touching(subset, userids, kind="co_retweet", window=window,
                           min_weight=min_weight)


def _most_engaged(tweets: pd.DataFrame, userids: pd.Series, n: int) -> np.ndarray:
    """Positions of the ``n`` most engaged tweets of each of ``userids`` (likes +
    retweets, descending, then time and tweet id), ordered by account.

    The top accounts may hold a large share of a release, so only four key columns of
    their rows are sorted and only the chosen rows are taken from the table."""
    pos = np.flatnonzero(tweets["userid"].isin(userids).fillna(False).to_numpy(bool))
    if not len(pos):
        return pos
    rows = _take_rows(tweets[["userid", "like_count", "retweet_count", "tweet_time", "tweetid"]],
                      pos)
    engagement = (rows["like_count"].astype("Float64").fillna(0).to_numpy(float)
                  + rows["retweet_count"].astype("Float64").fillna(0).to_numpy(float))
    user = pd.factorize(rows["userid"], sort=True)[0]
    when = rows["tweet_time"].to_numpy("datetime64[ns]").view("int64")
    # NaT is the smallest int64 and pandas sorted it last: keep that order
    when = np.where(rows["tweet_time"].isna().to_numpy(bool), np.iinfo(np.int64).max, when)
    if n > 0:
        # a row less engaged than its account's n-th most engaged row (ties counted)
        # cannot be chosen: only the rest are sorted. One partition per account (the
        # few top accounts), linear where the sort of the top accounts' rows is not.
        nth_most = np.full(int(user.max(initial=-1)) + 1, -np.inf)
        for account in range(len(nth_most)):
            mine = engagement[user == account]
            if len(mine):
                k = min(n, len(mine)) - 1
                nth_most[account] = -np.partition(-mine, k)[k]
        kept = np.flatnonzero(engagement >= nth_most[user])
        pos, user, engagement, when = pos[kept], user[kept], engagement[kept], when[kept]
        rows = _take_rows(rows, kept)
    # numbers first: only rows tied with an account's n-th on (engagement, time) can
    # be chosen, and only those few are ordered by their tweet id strings
    order = np.lexsort((when, -engagement, user))
    u, e, w = user[order], engagement[order], when[order]
    new_key = np.ones(len(order), bool)
    new_key[1:] = (u[1:] != u[:-1]) | (e[1:] != e[:-1]) | (w[1:] != w[:-1])
    tie_group = np.cumsum(new_key)
    starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    nth = tie_group[starts + np.minimum(n, sizes) - 1] if n > 0 else tie_group[starts] - 1
    candidates = order[tie_group <= np.repeat(nth, sizes)]
    tweetid = pd.factorize(rows["tweetid"].iloc[candidates], sort=True,
                           use_na_sentinel=False)[0]
    final = candidates[np.lexsort((tweetid, when[candidates], -engagement[candidates],
                                   user[candidates]))]
    ranked = user[final]
    first = np.searchsorted(ranked, ranked, side="left")
    return pos[final[(np.arange(len(final)) - first) < n]]


def static_summary(release: ReleaseLike, *, network: pd.DataFrame | None = None,
                   max_accounts: int = 5, tweets_per_account: int = 3,
                   neighbours_per_account: int = 5, window: str = "1min",
                   min_weight: int = 2) -> Any:
    """A deterministic HTML summary: top accounts, a few tweets each, their neighbours.

    Shown instead of the app in papermill and nbval runs. Tweets per account are the
    most engaged (likes + retweets, then time and tweet id); neighbours come from
    ``network`` (heaviest first), or when it is None from the ``co_retweet`` network
    (``window``, ``min_weight``) as the app computes it. Every text is escaped and every
    link defanged.

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    tweets = release.tweets
    top = accounts.top_accounts(release, n=max_accounts)
    labels = account_labels(top["userid"], top["user_screen_name"], top["hashed"])
    if network is None:
        network = _co_retweet_edges(tweets, top["userid"].tolist(), window=window,
                                    min_weight=min_weight)
    names = (tweets[["userid", "user_screen_name"]].dropna(subset=["userid"])
             .drop_duplicates("userid"))
    label_of = pd.concat([
        pd.Series(labels.to_numpy(), index=top["userid"]),
        pd.Series(account_labels(names["userid"], names["user_screen_name"]).to_numpy(),
                  index=names["userid"]),
    ]).pipe(lambda s: s[~s.index.duplicated()])
    sample = _take_rows(tweets, _most_engaged(tweets, top["userid"], tweets_per_account))
    name = safety.reveal_invisible(str(getattr(release, "name", "release")))
    parts = [_CSS, f"<h3><bdi>{safety.escape_html(name)}</bdi>: "
             f"{len(tweets):,} tweets, {tweets['userid'].nunique():,} accounts with tweets</h3>",
             "<p><i>Static summary. Run <code>casebook.widgets.explore(release)</code> in "
             "JupyterLab for the interactive explorer.</i></p>",
             "<div class='casebook-table'>"]
    for row, label in zip(top.itertuples(index=False), labels, strict=True):
        hashed = "hashed" if bool(row.hashed) else "not hashed"
        followers = "–" if pd.isna(row.follower_count) else f"{int(row.follower_count):,}"
        parts.append(f"<h4>{row.rank}. <bdi>{safety.escape_html(str(label))}</bdi>: {row.tweets:,} "
                     f"tweets ({row.share:.1%}), {hashed}, {followers} followers</h4>")
        parts.append(tweets_html(sample.loc[sample["userid"] == row.userid]))
        near = accounts.neighbours(network, row.userid, kind="co_retweet").head(
            neighbours_per_account)
        items = ", ".join(
            f"<bdi>{safety.escape_html(str(label_of.get(u, u)))}</bdi> "
            f"({safety.escape_html(str(k))}, "
            f"weight {wt})"
            for u, k, wt in zip(near["userid"], near["kind"], near["weight"], strict=True))
        parts.append(f"<p>neighbours: {items or 'none'}</p>")
    parts.append("</div>")
    return HTML(safety.no_math("\n".join(parts)))


def explore_or_summary(release: ReleaseLike, *, network: pd.DataFrame | None = None,
                       control: Any = None, max_accounts: int = 5,
                       static: bool | None = None, **options: Any) -> Any:
    """The app in a live JupyterLab kernel, the static summary elsewhere.

    Parameters
    ----------
    release, network, control
        As for :func:`explore`.
    max_accounts
        Accounts in the static summary.
    static
        Force one or the other; default :func:`static_mode` (see the module docs:
        ``CASEBOOK_STATIC=1``, papermill and nbval runs give the summary).
    **options
        Passed to :class:`Explorer`; ``window`` and ``min_weight`` also shape the
        summary's computed neighbours.

    Returns
    -------
    ipywidgets.Widget or IPython.display.HTML
    """
    if static is None:
        static = static_mode()
    if static:
        return static_summary(release, network=network, max_accounts=max_accounts,
                              window=options.get("window", "1min"),
                              min_weight=options.get("min_weight", 2))
    return explore(release, network=network, control=control, **options)
