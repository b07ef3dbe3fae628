"""Coordination networks: which accounts did the same thing within the same minute(s).

Every network here is **directed** and built the same way. Each kind defines a *key*
per tweet (the retweeted tweet, the normalised text, a URL, ...). For two accounts
A != B::

    weight(A -> B) = number of distinct tweets of A that have at least one tweet of B
                     with the same key and |t_A - t_B| <= window   (inclusive)

A tweet never matches itself and self-pairs (A == B) are never reported. For
``co_retweet``, ``co_tweet``, ``co_link`` and ``co_reply`` this is the definition of
coordination-network-toolkit (CNT) 1.5.2, without its defects (in CNT an empty URL field
becomes the URL ``""`` that links every link-less message, and every message matches
itself). ``weight(A -> B)`` and ``weight(B -> A)`` differ in general.

Kinds (:data:`KINDS`)
---------------------
``co_retweet``
    key = ``retweet_tweetid``; retweets only.
``co_tweet``
    key = the normalised text (:func:`normalise_text`: lowercased, ``@\\S*`` removed,
    whitespace collapsed, as CNT does); non-retweets only; an empty normalised text
    never matches.
``co_link``
    key = one URL of ``urls`` (exact string); URLs of retweets are ignored; an empty or
    missing URL is not a URL.
``co_domain``
    key = the registered domain of a URL (``tldextract`` with its bundled public-suffix
    list, no network); non-retweets only.
``co_hashtag``
    key = one hashtag, case-folded (``#`` stripped); non-retweets only.
``co_mention``
    key = one mentioned userid (``user_mentions``); non-retweets only.
``co_reply``
    key = ``in_reply_to_tweetid``; non-retweets only (as CNT).
``near_duplicate``
    non-retweets whose normalised texts have an estimated Jaccard similarity of their
    word-shingle sets >= ``threshold`` (:class:`NearDuplicateOptions`, default 0.7). MinHash signatures use datasketch's
    permutations (``affine32`` scheme), computed for all tweets at once with numpy;
    candidate pairs come only from shared LSH buckets (band parameters from
    :class:`datasketch.MinHashLSH`, tuned towards recall), never from all pairs, and are
    then verified on the signatures. Weight as above.
``co_post``
    any two tweets in the window (no key): the null baseline; the largest weight any
    content kind could reach.

Retweets carry their original's hashtags, mentions and links; counting them again would
repeat the co-retweet evidence, so the content kinds use non-retweets only. A tweet is a
retweet when ``is_retweet`` is true or ``retweet_tweetid`` is set.

Time window
-----------
The archive records ``tweet_time`` to the minute (seconds are always ``:00``), so a
window under one minute is rejected: it could not tell "the same second" from "the same
minute". The default ``"1min"`` links tweets in the same or an adjacent minute; two
minutes apart do not match. Times are compared at one-second resolution.

Layout
------
:mod:`~casebook.coordination.text` (UTF-8 byte scanning, :func:`normalise_text`,
fingerprints), :mod:`~casebook.coordination.engine` (the pair engine: events, window
pairs, weights), :mod:`~casebook.coordination.near_duplicate` (MinHash and LSH,
:class:`NearDuplicateOptions`), :mod:`~casebook.coordination.kinds` (the key of each
kind), :mod:`~casebook.coordination.network` (:func:`coordination_network`,
:func:`networks`, :func:`edge_evidence`), :mod:`~casebook.coordination.null` (chance
replicates of a release: tweets shifted by whole days, texts shuffled across accounts;
:func:`null_networks`), :mod:`~casebook.coordination.calibration`
(:func:`calibrated_thresholds` and :func:`calibrate`: each kind's threshold from the
null, checked on a control cohort; :func:`threshold_for_fpr`, the :func:`edge_pvalues`
key-shuffle null),
:mod:`~casebook.coordination.groups` (the group rule: trios of accounts recurring in
the same bursts, :func:`group_trios`; calibrated with the kinds),
:mod:`~casebook.coordination.communities` (:func:`detect_communities`,
:func:`summarise_communities`), :mod:`~casebook.coordination.plots`
(:func:`plot_network`, :func:`plot_weight_distribution`) and
:mod:`~casebook.coordination.command` (``casebook network``), and
:mod:`~casebook.coordination.duck` (the same networks with DuckDB, out of core, from a
store's Parquet files: :func:`duckdb_networks`, ``--engine duckdb``). Every public name
is importable from :mod:`casebook.coordination`, except those of
:mod:`~casebook.coordination.spark` (the same networks on Apache Spark:
:func:`~casebook.coordination.spark.spark_networks`; optional extra ``spark``), which is
imported by name so that nothing else needs pyspark.

Keys are factorised to integers and every tweet's window is found with
:func:`numpy.searchsorted` on one sort; pairs are expanded in bounded chunks
(:data:`MAX_PAIRS`), so no Python loop runs over tweets or pairs and memory stays
bounded. Texts are normalised in batches on threads, one per core
(:mod:`casebook._threads`; ``CASEBOOK_THREADS`` sets another number); ``co_tweet`` first keeps only
a 64-bit fingerprint per text and normalises again, exactly, only the texts whose
fingerprint repeats (a unique fingerprint is a unique text). :func:`networks` computes
as many kinds at a time as there are threads.
"""

from casebook.coordination.calibration import (
    ACTIVITY_STRATA,
    COMBINED_SHARE,
    GROUP_RULE,
    Calibration,
    account_max_weight,
    calibrate,
    calibrated_thresholds,
    calibration_steps,
    edge_pvalues,
    pair_scores,
    threshold_for_fpr,
)
from casebook.coordination.communities import detect_communities, summarise_communities
from casebook.coordination.duck import DUCK_KINDS, DuckDBResourceError, duckdb_networks
from casebook.coordination.engine import MAX_PAIRS
from casebook.coordination.groups import (
    GROUP_KIND,
    GROUP_WINDOW_FACTOR,
    MAX_BURST_ACCOUNTS,
    group_trios,
)
from casebook.coordination.kinds import CNT_KINDS, DEFAULT_KINDS, KINDS, registered_domains
from casebook.coordination.near_duplicate import NearDuplicateOptions
from casebook.coordination.network import (
    coordination_network,
    edge_evidence,
    networks,
    parse_window,
)
from casebook.coordination.null import MAX_SHIFT_DAYS, N_NULL, TEXT_BLOCK, null_networks
from casebook.coordination.plots import plot_network, plot_weight_distribution
from casebook.coordination.text import normalise_text

__all__ = [
    "ACTIVITY_STRATA",
    "CNT_KINDS",
    "COMBINED_SHARE",
    "Calibration",
    "DEFAULT_KINDS",
    "DUCK_KINDS",
    "DuckDBResourceError",
    "GROUP_KIND",
    "GROUP_RULE",
    "GROUP_WINDOW_FACTOR",
    "KINDS",
    "MAX_BURST_ACCOUNTS",
    "MAX_PAIRS",
    "MAX_SHIFT_DAYS",
    "N_NULL",
    "NearDuplicateOptions",
    "TEXT_BLOCK",
    "account_max_weight",
    "calibrate",
    "calibrated_thresholds",
    "calibration_steps",
    "coordination_network",
    "detect_communities",
    "duckdb_networks",
    "edge_evidence",
    "edge_pvalues",
    "group_trios",
    "networks",
    "normalise_text",
    "null_networks",
    "pair_scores",
    "parse_window",
    "plot_network",
    "plot_weight_distribution",
    "registered_domains",
    "summarise_communities",
    "threshold_for_fpr",
]
