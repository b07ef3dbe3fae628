"""Shared plotting helpers: a default Axes, frequency names, events on a date axis.

Events are dicts ``{"name", "start", "end"}`` with ISO 8601 strings (naive strings are
read as UTC); see :mod:`casebook.activity` for how they are drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from casebook._frames import naive, utc

__all__ = [
    "EVENT_GID",
    "EVENT_LABEL_GID",
    "draw_events",
    "freq_label",
    "label_time_axes",
    "new_ax",
    "parse_events",
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


def draw_events(ax: Any, events: Iterable[Mapping[str, Any]] | None, *,
                color: str = "tab:red", alpha: float = 0.15) -> Any:
    """Draw events on a date axis (UTC, plotted without time zone) and label them.

    Spans get a thin outline so that a 90-minute window stays visible on a
    multi-year axis. Returns the Axes.
    """
    import matplotlib.transforms as mtransforms

    frame = parse_events(events)
    trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    for event in frame.itertuples(index=False):  # a handful of events, not tweets
        start, end = naive(event.start), naive(event.end)
        if end > start:
            artist = ax.axvspan(start, end, facecolor=color, alpha=alpha, linewidth=1.0,
                                edgecolor=color)
        else:
            artist = ax.axvline(start, color=color, linewidth=1.0, linestyle="--")
        artist.set_gid(EVENT_GID)
        text = ax.text(start, 0.98, f" {event.name}", transform=trans, rotation=90,
                       va="top", ha="right", fontsize=8, color=color)
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
