"""Shared plotting helpers: a default Axes, frequency names, events on a date axis, and
the figure rules every plot follows.

Events are dicts ``{"name", "start", "end"}`` with ISO 8601 strings (naive strings are
read as UTC); see :mod:`casebook.activity` for how they are drawn.

Figure rules: tick labels that never overprint, plain numbers on log axes, percentages
and thousands separators, legends beside the data, literal text. Each rule takes an Axis
(``ax.xaxis``) or an Axes and returns it. Their locators place ticks when the figure is
drawn, from the axis length and the labels' estimated extents, so a panel of a
small-multiples grid gets fewer ticks than a full-width chart and no two labels of one
axis overprint. matplotlib is imported inside the helpers, so importing an analysis
module stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from casebook import safety
from casebook._frames import naive, utc

__all__ = [
    "EVENT_GID",
    "EVENT_LABEL_GID",
    "cell_axis",
    "count_axis",
    "date_axis",
    "draw_events",
    "freq_label",
    "label_time_axes",
    "legend_beside",
    "literal_text",
    "log_axis",
    "new_ax",
    "parse_events",
    "percent_axis",
    "plain_number",
]

#: gid of the span or line drawn for each event.
EVENT_GID = "casebook-event"
#: gid of the text label drawn for each event.
EVENT_LABEL_GID = "casebook-event-label"

_FREQ_LABELS = {
    "min": "minute", "T": "minute", "h": "hour", "H": "hour", "D": "day", "B": "business day",
    "W": "week", "W-SUN": "week", "W-MON": "week", "MS": "month", "ME": "month",
    "M": "month", "QS": "quarter", "QE": "quarter", "Q": "quarter", "YS": "year",
    "YE": "year", "Y": "year", "QS-JAN": "quarter", "YS-JAN": "year",
}


def freq_label(freq: str) -> str:
    """Human name of a pandas frequency alias (``"D"`` -> ``"day"``, ``"QS"`` -> ``"quarter"``)."""
    return _FREQ_LABELS.get(freq, freq)


def new_ax(ax: Any, *, figsize: tuple[float, float] = (10, 4)) -> Any:
    """``ax``, or the Axes of a new figure when it is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def parse_events(events: Iterable[Mapping[str, Any]] | None) -> pd.DataFrame:
    """Normalise event dicts into a DataFrame ``name, start, end`` (UTC timestamps).

    Parameters
    ----------
    events
        Dicts with ``name``, ``start`` and optionally ``end`` (ISO strings or
        timestamps; naive values are UTC). A missing ``end`` equals ``start``.

    Returns
    -------
    DataFrame sorted by ``start`` then ``name``.
    """
    rows = []
    for event in events or ():
        start = utc(event["start"])
        end = utc(event["end"]) if event.get("end") not in (None, "") else start
        if end < start:
            raise ValueError(f"event {event.get('name')!r} ends before it starts")
        rows.append({"name": str(event.get("name", "")), "start": start, "end": end})
    frame = pd.DataFrame(rows, columns=["name", "start", "end"])
    if frame.empty:
        return frame.astype({"name": "string", "start": "datetime64[ns, UTC]",
                             "end": "datetime64[ns, UTC]"})
    return frame.sort_values(["start", "name"], kind="stable").reset_index(drop=True)


def _spread(positions: np.ndarray, gap: float) -> np.ndarray:
    """Positions moved right as little as needed to be at least ``gap`` apart (in
    order), so that labels at close positions do not overprint each other."""
    out = positions.astype(float).copy()
    for i in range(1, len(out)):  # a handful of events
        out[i] = max(out[i], out[i - 1] + gap)
    return out


def draw_events(ax: Any, events: Iterable[Mapping[str, Any]] | None, *,
                color: str = "tab:red", alpha: float = 0.15, fontsize: float = 8) -> Any:
    """Draw events on a date axis (UTC, plotted without time zone) and label them.

    Spans get a thin outline so that a 90-minute window stays visible on a
    multi-year axis. Labels are vertical, beside their event's start; labels of events
    closer than a label's width on the axis (as the axis stands when they are drawn:
    draw events after the data) are moved apart sideways so they never overprint.
    Returns the Axes.
    """
    import matplotlib.transforms as mtransforms

    frame = parse_events(events)
    if frame.empty:
        return ax
    starts = [naive(t) for t in frame["start"]]
    for event, start in zip(frame.itertuples(index=False), starts, strict=True):  # a handful of events
        end = naive(event.end)
        if end > start:
            artist = ax.axvspan(start, end, facecolor=color, alpha=alpha, linewidth=1.0,
                                edgecolor=color)
        else:
            artist = ax.axvline(start, color=color, linewidth=1.0, linestyle="--")
        artist.set_gid(EVENT_GID)
    # where the starts fall, in points across the axes, once the spans set the limits
    ax.get_xlim()
    points = 72.0 / ax.figure.dpi
    xs = np.array([ax.transData.transform((ax.convert_xunits(t), 0))[0] for t in starts]) * points
    # a vertical label is about 1.2 font sizes wide; keep a little air between labels
    shifts = _spread(xs, 1.5 * fontsize) - xs
    base = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    for name, start, shift in zip(frame["name"], starts, shifts, strict=True):
        trans = mtransforms.offset_copy(base, fig=ax.figure, x=float(shift), y=0, units="points")
        text = ax.text(start, 0.98, f" {safety.reveal_invisible(name)}", transform=trans,
                       rotation=90, va="top", ha="right", fontsize=fontsize, color=color,
                       parse_math=False)  # an event name is text, never mathtext
        text.set_gid(EVENT_LABEL_GID)
    return ax


def label_time_axes(ax: Any, events: Iterable[Mapping[str, Any]] | None, *, title: str,
                    xlabel: str, ylabel: str) -> Any:
    """Finish a chart over time: events drawn (:func:`draw_events`), then the title and
    axis labels. Returns the Axes."""
    draw_events(ax, events)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


# --------------------------------------------------------------------------- figure rules


#: Cell strides tried for a categorical axis (24 hours divide by each).
_CELL_STEPS = (1, 2, 3, 4, 6, 12, 24)


def plain_number(value: float, _pos: Any = None) -> str:
    """``1,000``, ``10``, ``0.5``: a tick value without mathtext or exponent."""
    if value == 0:
        return "0"
    if abs(value) >= 1:
        return f"{value:,.0f}"
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _label_size(axis: Any) -> float:
    return axis.get_major_ticks(1)[0].label1.get_size()


def _room(axis: Any, chars: int) -> int:
    """How many tick labels of ``chars`` characters fit along ``axis``."""
    fig = axis.get_figure(root=True)
    box = axis.axes.get_position()
    if axis.axis_name == "x":
        length = box.width * fig.get_figwidth() * 72
    else:
        length = box.height * fig.get_figheight() * 72
    return max(1, int(length // _need(axis, chars)))


def _need(axis: Any, chars: float) -> float:
    """Points along ``axis`` taken by a label of ``chars`` characters and its gap: a
    character is about 0.6 font sizes wide, a line with its gap 1.8 font sizes high."""
    size = _label_size(axis)
    return size * (0.6 * chars + 1.2) if axis.axis_name == "x" else size * 1.8


def _fits(axis: Any, ticks: np.ndarray, labels: Sequence[str]) -> bool:
    """Whether labels at ``ticks`` (data units) stand clear of their neighbours."""
    if len(ticks) < 2:
        return True
    ax = axis.axes
    column = 0 if axis.axis_name == "x" else 1
    points = np.zeros((len(ticks), 2))
    points[:, column] = ticks
    where = ax.transData.transform(points)[:, column] * 72.0 / ax.figure.dpi
    chars = np.array([len(label) for label in labels], dtype=float)
    need = np.array([_need(axis, c) for c in chars])
    return bool(np.all(np.abs(np.diff(where)) >= (need[1:] + need[:-1]) / 2))


def count_axis(axis: Any) -> Any:
    """Whole-number ticks with thousands separators (``1,500``); returns the axis."""
    from matplotlib import ticker

    axis.set_major_locator(ticker.MaxNLocator(nbins="auto", integer=True,
                                              steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(ticker.FuncFormatter(plain_number))
    return axis


def percent_axis(axis: Any, *, whole: float = 1.0) -> Any:
    """Shares (``whole`` = 100%) shown as percentages; returns the axis."""
    from matplotlib import ticker

    axis.set_major_locator(ticker.MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(ticker.PercentFormatter(xmax=whole))
    return axis


def log_axis(axis: Any) -> Any:
    """Label a log or symlog axis with plain numbers (1, 10, 100, 1,000), never
    ``10^2`` mathtext; minor ticks stay unlabelled. Returns the axis."""
    from matplotlib import ticker

    dense = ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0), numticks=100) \
        if axis.get_scale() == "log" else None
    axis.set_major_locator(_thinned(axis.get_major_locator(), dense))
    axis.set_major_formatter(ticker.FuncFormatter(plain_number))
    axis.set_minor_formatter(ticker.NullFormatter())
    return axis


def _thinned(base: Any, dense: Any = None) -> Any:
    """A locator giving ``dense``'s ticks when their labels all fit along the axis
    (so that a short log axis, weights 1 to 6, gets 1, 2, 5 and not a lone 1), else
    ``base``'s, keeping every 2nd, 3rd ... of them when even those do not fit."""
    from matplotlib import ticker

    class Locator(ticker.Locator):
        def __call__(self) -> Any:
            lo, hi = sorted(self.axis.get_view_interval())
            for candidate in (dense, base):
                if candidate is None:
                    continue
                candidate.set_axis(self.axis)
                ticks = np.asarray(candidate.tick_values(lo, hi))
                shown = ticks[(ticks >= lo) & (ticks <= hi)]
                if _fits(self.axis, shown, [plain_number(t) for t in shown]):
                    return shown
            # keep the largest tick (the scale's reach) and every stride-th one below it
            for stride in range(2, max(len(shown), 2) + 1):
                kept = shown[::-1][::stride][::-1]
                if _fits(self.axis, kept, [plain_number(t) for t in kept]):
                    return kept
            return shown[-1:]

    return Locator()


def _spaced_date_locator() -> Any:
    """An :class:`~matplotlib.dates.AutoDateLocator` giving as many ticks as fit along
    the axis (the stock one allows up to 11 however narrow the axis)."""
    import matplotlib.dates as mdates

    class Locator(mdates.AutoDateLocator):
        def __call__(self) -> Any:
            if self.axis is None:
                return super().__call__()
            formatter = self.axis.get_major_formatter()
            for most in range(max(3, min(12, _room(self.axis, 3))), 1, -1):
                self.maxticks = dict.fromkeys(self._freqs, most)
                ticks = np.asarray(super().__call__())
                lo, hi = sorted(self.axis.get_view_interval())
                shown = ticks[(ticks >= lo) & (ticks <= hi)]
                if _fits(self.axis, shown, formatter.format_ticks(shown)):
                    break
            return ticks

    return Locator(minticks=2)


def date_axis(axis: Any) -> Any:
    """Dates with concise labels (``2020``, ``Jul``, ``Sep 30``) and as many ticks as
    the axis length holds; returns the axis."""
    import matplotlib.dates as mdates

    locator = _spaced_date_locator()
    axis.set_major_locator(locator)
    axis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return axis


def cell_axis(axis: Any, labels: Sequence[str]) -> Any:
    """Label the cells of a heatmap axis (centres at 0.5, 1.5, ...) with ``labels``,
    every cell when the axis is long enough, else every 2nd, 3rd, 4th, 6th ... cell.
    Returns the axis."""
    from matplotlib import ticker

    names = [str(label) for label in labels]

    class Locator(ticker.Locator):
        def __call__(self) -> list[float]:
            centres = np.arange(len(names)) + 0.5
            for step in _CELL_STEPS:
                kept = centres[::step]
                if _fits(self.axis, kept, [names[int(c)] for c in kept]):
                    return list(kept)
            return list(centres[:1])

    def name(value: float, _pos: Any = None) -> str:
        i = int(value)
        return names[i] if 0 <= i < len(names) else ""

    axis.set_major_locator(Locator())
    axis.set_major_formatter(ticker.FuncFormatter(name))
    return axis


def _literal_tick(label: str) -> str:
    """A tick label shown as written: invisible characters revealed, every ``$``
    escaped (tick labels are parsed as mathtext, and matplotlib shows ``\\$`` as ``$``)."""
    return safety.reveal_invisible(str(label)).replace("$", r"\$")


def _literal_formatter(formatter: Any) -> Any:
    """``formatter`` with literal labels (see :func:`_literal_tick`); any other call
    (offset text, locations, the data readout) goes to the formatter itself."""
    from matplotlib import ticker

    if getattr(formatter, "_casebook_literal", False):
        return formatter

    class Literal(ticker.Formatter):
        _casebook_literal = True

        def __call__(self, x: Any, pos: Any = None) -> str:
            return _literal_tick(formatter(x, pos))

        def format_ticks(self, values: Any) -> list[str]:
            return [_literal_tick(label) for label in formatter.format_ticks(values)]

        def format_data(self, value: Any) -> str:
            return formatter.format_data(value)

        def format_data_short(self, value: Any) -> str:
            return formatter.format_data_short(value)

        def get_offset(self) -> str:
            return formatter.get_offset()

        def set_locs(self, locs: Any) -> None:
            formatter.set_locs(locs)

        def set_axis(self, axis: Any) -> None:
            super().set_axis(axis)
            formatter.set_axis(axis)

    return Literal()


#: Formatters whose labels can be archive text (categories, fixed labels, cell names).
_TEXT_FORMATTERS = ("StrCategoryFormatter", "FixedFormatter", "FuncFormatter")


def literal_text(ax: Any) -> Any:
    """Render the title, axis labels, legend, tick labels and every text of ``ax``
    literally: a ``$`` in an account name, hashtag or narrative never starts mathtext
    (which can fail to parse and so stop the figure from drawing at all), and bidi
    controls and invisible characters are shown as ``<U+202E>``
    (:func:`casebook.safety.reveal_invisible`). Returns the Axes."""
    # the three title slots (centre, left, right) are Text attributes of the Axes
    titles = [getattr(ax, slot) for slot in ("title", "_left_title", "_right_title")]
    texts = [*titles, ax.xaxis.label, ax.yaxis.label, *ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        texts += [*legend.get_texts(), legend.get_title()]
    for text in texts:
        text.set_parse_math(False)
        shown = text.get_text()
        revealed = safety.reveal_invisible(shown)
        if revealed != shown:
            text.set_text(revealed)
    # tick labels are made at draw time by the formatter: text ones are wrapped
    for axis in (ax.xaxis, ax.yaxis):
        for major, formatter in ((True, axis.get_major_formatter()),
                                 (False, axis.get_minor_formatter())):
            if type(formatter).__name__ in _TEXT_FORMATTERS:
                literal = _literal_formatter(formatter)
                # set_major_formatter would mark the formatter as set by the user, so
                # that categorical units no longer update it
                (axis.major if major else axis.minor).formatter = literal
                literal.set_axis(axis)
    return ax


def legend_beside(ax: Any, **kwargs: Any) -> Any:
    """A legend to the right of the axes, outside them, so it never covers the data;
    its texts are literal. Returns the Legend."""
    options = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0,
               "fontsize": "small", "frameon": False} | kwargs
    legend = ax.legend(**options)
    for text in [*legend.get_texts(), legend.get_title()]:
        text.set_parse_math(False)
        text.set_text(safety.reveal_invisible(text.get_text()))
    return legend
