"""The key of each kind, by hand-computed weights."""

from __future__ import annotations

import pandas as pd

from casebook import coordination as co
from tests._frames import make_tweets
from tests.coordination._tweets import post, rt, weights


def test_co_tweet_normalises_text_and_never_matches_empty_text() -> None:
    tweets = make_tweets([
        post("A", 0, "Hello  @bob WORLD\n"),
        post("B", 0, "hello world"),
        post("C", 0, "@x"),            # normalises to "": never matches
        post("D", 0, "@y "),
        rt("E", 0, "5", tweet_text="hello world"),  # retweets are not co-tweets
        post("F", 3, "hello world"),   # too late
    ])
    assert weights(co.coordination_network(tweets, kind="co_tweet")) == {
        ("A", "B"): 1, ("B", "A"): 1,
    }


def test_co_link_ignores_empty_urls_and_retweet_urls() -> None:
    tweets = make_tweets([
        post("A", 0, "a", urls=["https://example.com/x", ""]),
        post("B", 0, "b", urls=["https://example.com/x"]),
        post("C", 0, "c", urls=["", " "]),          # an empty URL is not a URL
        post("D", 0, "d", urls=[""]),
        rt("E", 0, "5", urls=["https://example.com/x"]),   # URLs of retweets ignored
        post("F", 0, "f", urls=["https://example.com/y"]),
    ])
    assert weights(co.coordination_network(tweets, kind="co_link")) == {
        ("A", "B"): 1, ("B", "A"): 1,
    }


def test_co_domain_uses_registered_domains() -> None:
    tweets = make_tweets([
        post("A", 0, "a", urls=["https://news.bbc.co.uk/1"]),
        post("B", 1, "b", urls=["http://www.BBC.co.uk/2"]),
        post("C", 0, "c", urls=["https://other.co.uk/1"]),   # a different domain under co.uk
        post("D", 0, "d", urls=["not a url"]),
    ])
    assert weights(co.coordination_network(tweets, kind="co_domain")) == {
        ("A", "B"): 1, ("B", "A"): 1,
    }
    got = co.registered_domains(pd.Series(["https://a.b.example.com/x", "", None, "http://10.0.0.1/"]))
    assert got.tolist() == ["example.com", pd.NA, pd.NA, "10.0.0.1"]


def test_co_hashtag_is_case_folded_and_counts_a_tweet_once() -> None:
    tweets = make_tweets([
        post("A", 0, "a", hashtags=["NATO", "Syria", "nato"]),
        post("B", 0, "b", hashtags=["nato", "#SYRIA"]),      # shares two tags: counts once
        post("B", 1, "b2", hashtags=["Straße"]),
        post("C", 0, "c", hashtags=["STRASSE"]),            # casefold: straße == strasse
        rt("D", 0, "4", hashtags=["NATO"]),                 # retweets ignored
    ])
    got = weights(co.coordination_network(tweets, kind="co_hashtag"))
    assert got == {("A", "B"): 1, ("B", "A"): 1, ("B", "C"): 1, ("C", "B"): 1}
    edges, evidence = co.coordination_network(tweets, kind="co_hashtag", evidence=True)
    ab = evidence[(evidence["source"] == "A") & (evidence["target"] == "B")]
    assert sorted(ab["key"]) == ["nato", "syria"]
    assert ab["source_tweetid"].nunique() == 1


def test_co_mention_and_co_reply() -> None:
    tweets = make_tweets([
        post("A", 0, "a", user_mentions=["42"], in_reply_to_tweetid="100"),
        post("B", 1, "b", user_mentions=["42", "43"], in_reply_to_tweetid="100"),
        post("C", 0, "c", user_mentions=["43"], in_reply_to_tweetid="101"),
        rt("D", 0, "5", user_mentions=["42"], in_reply_to_tweetid="100"),
    ])
    assert weights(co.coordination_network(tweets, kind="co_mention")) == {
        ("A", "B"): 1, ("B", "A"): 1, ("B", "C"): 1, ("C", "B"): 1,
    }
    assert weights(co.coordination_network(tweets, kind="co_reply")) == {
        ("A", "B"): 1, ("B", "A"): 1,
    }


def test_co_post_counts_any_tweets_in_the_window() -> None:
    tweets = make_tweets([
        post("A", 0, "x"), post("A", 0, "y"),
        post("B", 1, "z"),
        post("C", 2, "w"),
    ])
    assert weights(co.coordination_network(tweets, kind="co_post")) == {
        ("A", "B"): 2, ("B", "A"): 1, ("B", "C"): 1, ("C", "B"): 1,
    }


def test_domains_looked_up_per_release_are_the_same() -> None:
    # co_domain looks each URL up in the domains of the release's urls column (computed
    # once per release): a summary on some of its tweets, or a column that lacks its URLs,
    # gets what registered_domains gives
    from casebook.content import registered_domains
    from casebook.coordination.kinds import list_events, prepare

    urls = ["https://a.example.co.uk/1", " http://WWW.Example.com./x ", "javascript:void(0)",
            "https://blog.example.com/p", "", "//cdn.example/x", "ftp://f.org/x", "bad url"]
    tweets = make_tweets([post(f"u{i % 3}", i, "t", urls=[urls[i % len(urls)],
                                                         urls[(3 * i) % len(urls)]])
                          for i in range(24)])
    part = tweets.iloc[::3].reset_index(drop=True)
    prep = prepare(part)
    expected = None
    for source in (None, tweets["urls"], make_tweets([post("x", 0, "t", urls=["https://z.org"])])["urls"]):
        ev = list_events(prep, "co_domain", prep.ok, domain_source=source)
        got = list(zip(ev.pos.tolist(), ev.labels.take(ev.key).to_pylist(), strict=True))
        expected = expected or got
        assert got == expected
    flat = pd.Series([u.strip() for u in urls if u.strip()])
    direct = set(registered_domains(flat).dropna()) - {""}
    assert {label for _, label in expected} <= direct


def test_list_events_of_some_rows_are_those_of_all_rows_there() -> None:
    # the lists of the chosen rows alone are flattened: each row keeps its own keys
    import numpy as np

    from casebook.coordination.kinds import LIST_KEYS, list_events, prepare

    rng = np.random.default_rng(3)
    tags = ["#a", "B", " c ", "", "#A", "d"]
    urls = ["https://a.example.co.uk/1", "http://b.org/x", "", "bad url"]
    tweets = make_tweets([post(f"u{i % 4}", i, "t", hashtags=list(rng.choice(tags, i % 3)),
                               urls=list(rng.choice(urls, (i + 1) % 3)),
                               user_mentions=list(rng.choice(["m1", "m2", ""], i % 2 + 1)))
                          for i in range(40)])
    prep = prepare(tweets)
    for kind in LIST_KEYS:
        every = list_events(prep, kind, prep.ok)
        whole = list(zip(every.pos.tolist(), every.labels.take(every.key).to_pylist(), strict=True))
        for rows in (prep.ok & (np.arange(len(tweets)) % 3 == 0), prep.ok & (rng.random(40) < 0.5),
                     np.zeros(40, bool)):
            ev = list_events(prep, kind, rows)
            got = list(zip(ev.pos.tolist(), ev.labels.take(ev.key).to_pylist(), strict=True))
            assert got == [(p, k) for p, k in whole if rows[p]], kind


def test_list_keys_are_those_of_every_occurrence() -> None:
    # the keys are found on the distinct values; every occurrence must get the key (coded
    # in order of first use) and label it would get on its own: items trimmed, blank or
    # null items and lists skipped, hashtags case-folded without their "#", URLs' domains,
    # one event per (tweet, key); over a column of several chunks, for all rows or some
    import numpy as np
    import pyarrow as pa

    from casebook import schema
    from casebook.content import registered_domains
    from casebook.coordination.kinds import LIST_KEYS, list_events, prepare

    rng = np.random.default_rng(11)
    pool = {
        "hashtags": ["NATO", " nato", "#Nato", "#", " ", "", None, "Straße", "STRASSE",
                     "\u200bx", "x", "#x ", "ǅ", "ǆ", "\u202eevil"],
        "urls": ["https://a.example.co.uk/1", " https://a.example.co.uk/1", "http://b.org/x",
                 "http://WWW.B.org./y ", "", " ", None, "bad url", "javascript:void(0)",
                 "https://c.example.com/p", "https://c.example.com/p\t", "http://./x",
                 "https://.../", "HTTP://B.ORG/z"],
        "user_mentions": ["1", " 1", "2", "", None, "3 ", "\u00a0"],
    }
    n = 90
    columns = {}
    for col, values in pool.items():
        lists = [None if rng.random() < 0.1 else
                 [values[j] for j in rng.integers(0, len(values), rng.integers(0, 4))]
                 for _ in range(n)]
        columns[col] = (lists, pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(
            [pa.array(lists[a:b], pa.list_(pa.string())) for a, b in ((0, 7), (7, 50), (50, n))])),
            dtype=schema.LIST))
    tweets = make_tweets([post(f"u{i % 5}", i, "t") for i in range(n)])
    for col, (_, series) in columns.items():
        tweets[col] = series
    prep = prepare(tweets)
    urls = [u.strip() for u in pool["urls"] if u and u.strip()]
    domain = dict(zip(urls, registered_domains(pd.Series(urls)).fillna(""), strict=True))

    def key(kind: str, item: str | None) -> str | None:
        value = None if item is None else item.strip()
        if kind == "co_hashtag" and value is not None:
            value = value.lstrip("#").casefold() if value.lstrip("#").strip() else ""
        if kind == "co_domain" and value:
            value = domain[value]
        return value or None

    for kind, col in LIST_KEYS.items():
        lists = columns[col][0]
        for rows in (np.ones(n, bool), rng.random(n) < 0.5):
            pairs = [(i, k) for i in np.flatnonzero(rows) for k in map(
                lambda item: key(kind, item), lists[i] or []) if k is not None]
            labels = list(dict.fromkeys(k for _, k in pairs))
            expected = sorted({(i, labels.index(k)) for i, k in pairs})
            ev = list_events(prep, kind, rows)
            assert ev.labels.to_pylist() == labels, kind
            assert sorted(zip(ev.pos.tolist(), ev.key.tolist(), strict=True)) == expected, kind
            assert ev.t.tolist() == prep.sec[ev.pos].tolist()
            assert ev.user.tolist() == prep.ucode[ev.pos].tolist()


def test_events_are_narrow_where_they_fit() -> None:
    # every kind's events carry 32-bit positions, keys, accounts and times (a release's
    # events are held through its replicates), and the networks are those of the wide
    # events; a time too close to 2038 for a year's shifts keeps the times 64-bit
    import numpy as np

    from casebook.coordination.engine import weights as pair_weights
    from casebook.coordination.kinds import KINDS, events, prepare

    rows = [post(f"u{i % 5}", i % 4, f"same words here {i % 3}", urls=["https://a.example/x"],
                 hashtags=["Tag"], user_mentions=["m1"], in_reply_to_tweetid="9")
            for i in range(30)] + [rt(f"u{i % 5}", i % 3, "7") for i in range(10)]
    for late in (False, True):
        tweets = make_tweets(rows)
        if late:
            tweets["tweet_time"] = tweets["tweet_time"] + pd.Timedelta(days=365 * 18)
        prep = prepare(tweets, KINDS)
        for kind in KINDS:
            ev = events(prep, kind)
            assert len(ev), kind
            assert ev.pos.dtype == ev.key.dtype == ev.user.dtype == np.int32, kind
            assert ev.t.dtype == (np.int64 if late else np.int32), kind
            wide = type(ev)(*(a.astype(np.int64) for a in (ev.pos, ev.key, ev.t, ev.user)),
                            ev.labels, ev.pair_filter, ev.similarity)
            for got, want in zip(pair_weights(ev, 60, prep.ucode, prep.n_users, max_pairs=7),
                                 pair_weights(wide, 60, prep.ucode, prep.n_users, max_pairs=7),
                                 strict=True):
                np.testing.assert_array_equal(got, want)


def test_near_duplicate_events_are_not_copied_to_drop_nothing() -> None:
    # near_duplicate drops its single buckets itself and leaves their key numbers unused;
    # the singleton check took those for keys to drop and copied every event (50M at
    # specimen scale 8, the case's peak), losing their (key, time) order, sorted again
    import numpy as np

    from casebook.coordination.engine import key_time_order
    from casebook.coordination.kinds import events, prepare

    rows = ([post(f"u{i % 4}", i, "the very same words of a copied message here") for i in range(6)]
            + [post(f"v{i}", i, f"an unrelated text number {i} about topic {i * 7}")
               for i in range(40)])
    prep = prepare(make_tweets(rows), ["near_duplicate"])
    ev = events(prep, "near_duplicate")
    assert len(ev) and np.bincount(ev.key).min() == 0  # unused key numbers: nothing to drop
    assert np.bincount(ev.key)[np.unique(ev.key)].min() >= 2
    assert ev.order is not None  # the order near_duplicate made them in is kept
    want = key_time_order(ev)
    np.testing.assert_array_equal(ev.key[ev.order], ev.key[want])
    np.testing.assert_array_equal(ev.t[ev.order], ev.t[want])


def test_prepare_codes_a_categorical_userid_without_decoding_it(monkeypatch) -> None:
    from casebook import schema
    from casebook.coordination import kinds

    tweets = make_tweets([{"tweetid": str(i), "userid": u, "tweet_time": "2020-09-30 01:00"}
                          for i, u in enumerate(["c", "a", None, "c", "b", "a"])])
    # a filtered frame keeps its unused categories ("zz"), in any order
    tweets["userid"] = tweets["userid"].cat.set_categories(["zz", "c", "b", "a"])
    as_strings = tweets.astype({"userid": schema.STRING})
    expected = kinds.prepare(as_strings)
    from casebook import _frames

    decoded = []
    real = _frames.as_strings
    monkeypatch.setattr(_frames, "as_strings", lambda v: decoded.append(v.name) or real(v))
    got = kinds.prepare(tweets)
    assert "userid" not in decoded
    assert got.ucode.tolist() == expected.ucode.tolist() == [2, 0, -1, 2, 1, 0]
    assert got.user_ids.to_pylist() == expected.user_ids.to_pylist() == ["a", "b", "c"]
    assert got.user_ids.type == expected.user_ids.type
