"""Calibration: how heavy must an edge be before it means more than ordinary activity?

:func:`threshold_for_fpr` and :func:`calibrate` compare an operation's edge weights with
a control cohort of ordinary accounts; :func:`edge_pvalues` asks a shuffle null model
how often chance alone gives an edge as heavy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from casebook.coordination.engine import MAX_PAIRS, Events, weights
from casebook.coordination.kinds import DEFAULT_KINDS, check_kind, events, prepare, tweets_frame
from casebook.coordination.near_duplicate import NearDuplicateOptions
from casebook.coordination.network import (
    Window,
    check_min_weight,
    kind_network,
    unique_kinds,
    window_seconds,
)
from casebook.errors import UsageError

__all__ = ["account_max_weight", "calibrate", "edge_pvalues", "threshold_for_fpr"]

# fpr * n is compared with a count: a share such as 0.07 * 100 must give 7, not 6.999...
_FLOAT_SLACK = 1e-9


def account_max_weight(edges: pd.DataFrame) -> pd.Series:
    """Each account's heaviest edge, as source or target, indexed by account (sorted).

    Examples
    --------
    >>> account_max_weight(pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"],
    ...                                  "weight": [3, 1]})).to_dict()
    {'a': 3, 'b': 3, 'c': 1}
    """
    both = pd.concat([
        edges[["source", "weight"]].set_axis(["account", "weight"], axis=1),
        edges[["target", "weight"]].set_axis(["account", "weight"], axis=1),
    ], ignore_index=True)
    return both.groupby("account", sort=True)["weight"].max()


def _single_kind(edges: pd.DataFrame, what: str) -> None:
    if "kind" in edges.columns and edges["kind"].nunique() > 1:
        raise UsageError(f"{what} holds several kinds", hint="pass the edges of one kind")


def threshold_for_fpr(
    control_edges: pd.DataFrame, *, fpr: float = 0.01, n_accounts: int | None = None
) -> int:
    """Smallest ``min_weight`` that flags at most a share ``fpr`` of control accounts.

    An account is *flagged* at threshold ``m`` when it is the source or target of an
    edge with weight >= ``m``. The control cohort is a set of ordinary accounts, so a
    flagged control account is a false positive.

    Parameters
    ----------
    control_edges
        Edges of one kind computed on the control cohort (``min_weight=1``).
    fpr
        Largest acceptable share of flagged control accounts, in [0, 1].
    n_accounts
        Number of accounts in the control cohort (the denominator). Default: the
        accounts appearing in ``control_edges``, which overstates the share and so errs
        towards a higher (safer) threshold.

    Returns
    -------
    int
        The threshold (>= 1).

    Examples
    --------
    >>> ctl = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [1, 5]})
    >>> threshold_for_fpr(ctl, fpr=0.0, n_accounts=100)
    6
    >>> threshold_for_fpr(ctl, fpr=0.02, n_accounts=100)
    2
    """
    if not 0 <= fpr <= 1:
        raise UsageError(f"fpr must be between 0 and 1, got {fpr!r}")
    _single_kind(control_edges, "control_edges")
    maxw = account_max_weight(control_edges).to_numpy()
    n = len(maxw) if n_accounts is None else int(n_accounts)
    if n < len(maxw):
        raise UsageError(f"n_accounts={n} is smaller than the {len(maxw)} accounts in the edges")
    allowed = int(np.floor(fpr * n + _FLOAT_SLACK))
    if len(maxw) <= allowed:
        return 1
    v = np.sort(maxw)[::-1]
    return int(v[allowed]) + 1


def _flag_stats(edges: pd.DataFrame, thr: int) -> tuple[int, int]:
    heavy = edges[edges["weight"] >= thr]
    accounts = pd.unique(pd.concat([heavy["source"], heavy["target"]], ignore_index=True))
    a = np.minimum(heavy["source"].to_numpy(object), heavy["target"].to_numpy(object))
    b = np.maximum(heavy["source"].to_numpy(object), heavy["target"].to_numpy(object))
    pairs = len(pd.MultiIndex.from_arrays([a, b]).unique()) if len(heavy) else 0
    return len(accounts), pairs


def calibrate(
    tweets: Any,
    control_tweets: Any,
    *,
    kind: str | Sequence[str] = DEFAULT_KINDS,
    window: Window = "1min",
    fpr: float = 0.01,
    min_weight: int | None = None,
    percentiles: Sequence[float] = (50, 90, 99),
    near_duplicate: NearDuplicateOptions | None = None,
    return_edges: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Compare edge weights of an operation with a control cohort of ordinary accounts.

    For each kind, both networks are computed with ``min_weight=1``; the threshold is
    ``min_weight`` when given, otherwise :func:`threshold_for_fpr` on the control
    (at most ``fpr`` of control accounts flagged). ``near_duplicate`` holds the options
    of that kind (:class:`~casebook.coordination.NearDuplicateOptions`).

    Returns
    -------
    pandas.DataFrame
        One row per (kind, cohort) with ``cohort`` in ``operation``/``control``:
        ``accounts`` (accounts with tweets), ``accounts_in_edges``, ``edges``,
        ``weight_p<q>`` for each percentile and ``weight_max`` (over edges; missing
        without edges), ``threshold``, ``flagged_accounts`` and ``flagged_share``
        (accounts with an edge >= threshold, and their share of ``accounts``),
        ``flagged_pairs`` (unordered account pairs with an edge >= threshold).
        With ``return_edges=True``, also a dict ``{"operation": edges, "control": edges}``
        of every kind's edges (``min_weight=1``), so callers need not compute them again.

    Examples
    --------
    >>> calibrate(op, control, kind=["co_retweet", "co_hashtag"], fpr=0.01)  # doctest: +SKIP
    """
    kinds = unique_kinds(kind)
    w = window_seconds(window)
    cohorts = {
        "operation": prepare(tweets_frame(tweets)),
        "control": prepare(tweets_frame(control_tweets)),
    }
    rows = []
    all_edges: dict[str, list[pd.DataFrame]] = {name: [] for name in cohorts}
    for k in kinds:
        nets = {name: kind_network(p, k, w, 1, near_duplicate, MAX_PAIRS)[0]
                for name, p in cohorts.items()}
        for name, e in nets.items():
            all_edges[name].append(e)
        thr = (
            check_min_weight(min_weight) if min_weight is not None
            else threshold_for_fpr(nets["control"], fpr=fpr,
                                   n_accounts=cohorts["control"].n_active)
        )
        for name, prep in cohorts.items():
            e = nets[name]
            n_acc = prep.n_active
            row: dict[str, Any] = {
                "kind": k, "cohort": name, "accounts": n_acc,
                "accounts_in_edges": int(len(account_max_weight(e))), "edges": len(e),
            }
            wts = e["weight"].to_numpy(dtype=float)
            for q in percentiles:
                row[f"weight_p{q:g}"] = float(np.percentile(wts, q)) if len(wts) else np.nan
            row["weight_max"] = float(wts.max()) if len(wts) else np.nan
            flagged, pairs = _flag_stats(e, thr)
            row.update(
                threshold=thr, flagged_accounts=flagged,
                flagged_share=flagged / n_acc if n_acc else np.nan, flagged_pairs=pairs,
            )
            rows.append(row)
    table = pd.DataFrame(rows)
    if not return_edges:
        return table
    return table, {name: pd.concat(frames, ignore_index=True) for name, frames in all_edges.items()}


def edge_pvalues(
    tweets: Any,
    edges: pd.DataFrame,
    *,
    kind: str | None = None,
    window: Window = "1min",
    n_shuffles: int = 99,
    stratum: str = "1D",
    seed: int = 0,
) -> pd.DataFrame:
    """Shuffle null model: how often does chance alone give an edge this heavy?

    The null keeps every tweet's account and time and every key's popularity, and
    shuffles which tweet carries which key among the tweets of the same ``stratum``
    (default: the same UTC day). So each account's activity per day and each key's use
    per day are preserved; only the alignment between accounts is random. For each
    observed edge, ``p_value = (1 + #{shuffles with null weight >= observed}) /
    (1 + n_shuffles)``: a small value says the two accounts shared keys within the window
    more often than accounts with their activity would by chance that day. It does not
    correct for testing many edges; the smallest possible value is ``1/(1+n_shuffles)``.

    Parameters
    ----------
    tweets
        The tweets the edges were computed on.
    edges
        Edges of one key-based kind (not ``near_duplicate`` or ``co_post``).
    kind
        The kind; default the ``kind`` column of ``edges``.
    window
        As used for the edges.
    n_shuffles
        Number of shuffles (each costs one network computation).
    stratum
        Length of the time blocks within which keys are shuffled.
    seed
        Seed of the shuffles.

    Returns
    -------
    pandas.DataFrame
        ``edges`` with ``expected_weight`` (mean null weight) and ``p_value``.
    """
    df = tweets_frame(tweets)
    if kind is None:
        if "kind" not in edges.columns or edges["kind"].nunique() != 1:
            raise UsageError("edges have no single kind column", hint="pass kind=")
        kind = str(edges["kind"].iloc[0])
    check_kind(kind)
    if kind in ("near_duplicate", "co_post"):
        raise UsageError(f"{kind} has no shared key to shuffle; p-values need a key kind")
    _single_kind(edges, "edges")
    if n_shuffles < 1:
        raise UsageError(f"n_shuffles must be >= 1, got {n_shuffles!r}")
    w = window_seconds(window)
    block = int(pd.Timedelta(stratum) // pd.Timedelta(seconds=1))
    prep = prepare(df)
    ev = events(prep, kind, drop_singletons=False)
    ids = pd.Index(prep.user_ids.to_pylist())
    src, dst = ids.get_indexer(edges["source"]), ids.get_indexer(edges["target"])
    if (src < 0).any() or (dst < 0).any():
        raise UsageError("edges name accounts that have no tweets in `tweets`")
    obs_codes = src.astype(np.int64) * prep.n_users + dst
    observed = edges["weight"].to_numpy(dtype=np.int64)
    rng = np.random.default_rng(seed)
    strata = ev.t // block
    base = np.lexsort((np.arange(len(ev)), strata))
    exceed = np.zeros(len(edges), np.int64)
    total = np.zeros(len(edges), np.float64)
    for _ in range(n_shuffles):  # loop over shuffles; each is vectorised
        perm = np.lexsort((rng.random(len(ev)), strata))
        key = np.empty_like(ev.key)
        key[perm] = ev.key[base]
        codes, null_weights = weights(
            Events(ev.pos, key, ev.t, ev.user), w, prep.ucode, prep.n_users, max_pairs=MAX_PAIRS,
        )
        at = np.searchsorted(codes, obs_codes)
        at_ok = np.minimum(at, max(len(codes) - 1, 0))
        found = (at < len(codes)) & (codes[at_ok] == obs_codes) if len(codes) else at < 0
        null = np.where(found, null_weights[at_ok] if len(codes) else 0, 0)
        exceed += null >= observed
        total += null
    return edges.assign(
        expected_weight=total / n_shuffles, p_value=(1 + exceed) / (1 + n_shuffles)
    )
