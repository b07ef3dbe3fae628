from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casebook import accounts, activity
from casebook.errors import ParameterError
from tests._frames import FakeRelease, load_real_excerpt, make_tweets, make_users

HASH = "jqGSYKkIV+B+ELGTvX+qbrzut5YRGjh9LNi5v5gRP8="  # a real hashed id: reads "...ELG Tv X..."


# --------------------------------------------------------------------------- creation


@pytest.fixture
def created():
    dates = ["2019-01-15", "2019-02-01", "2019-03-31", "2019-10-01", "2019-12-31",
             "2020-01-01", None]
    return make_users({"userid": str(i), "account_creation_date": d}
                      for i, d in enumerate(dates))


def test_creation_waves_by_quarter(created):
    out = accounts.creation_waves(created, freq="QS")
    assert out["period"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-01-01", "2019-04-01", "2019-07-01", "2019-10-01", "2020-01-01"]
    assert out["accounts"].tolist() == [3, 0, 0, 2, 1]
    assert out["cumulative"].tolist() == [3, 3, 3, 5, 6]
    assert out["share"].tolist() == pytest.approx([0.5, 0, 0, 1 / 3, 1 / 6])
    monthly = accounts.creation_waves(created, freq="MS")
    assert monthly["accounts"].iloc[:3].tolist() == [1, 1, 1]


def test_plot_creation_bars_labels_events(created):
    ax = accounts.plot_creation(created, freq="QS", events=[
        {"name": "war", "start": "2019-09-27", "end": "2019-11-10"},
        {"name": "ceasefire", "start": "2019-11-10"}])
    bars = [p for p in ax.patches if p.get_gid() != activity.EVENT_GID]
    assert [b.get_height() for b in bars] == [3, 0, 0, 2, 1]
    assert ax.get_title() == "Accounts created per quarter"
    assert ax.get_xlabel() == "account creation date"
    assert ax.get_ylabel() == "accounts created per quarter"
    n_events = sum(a.get_gid() == activity.EVENT_GID for a in [*ax.patches, *ax.lines])
    assert n_events == 2


# --------------------------------------------------------------------------- audiences


def test_follower_summary_by_hand():
    users = make_users({"userid": str(i), "follower_count": f, "following_count": g}
                       for i, (f, g) in enumerate([(0, 10), (5, 20), (100, 30), (4000, 40),
                                                   (None, None)]))
    out = accounts.follower_summary(users)
    row = out.loc["follower_count"]
    assert row["accounts"] == 4
    assert row["mean"] == pytest.approx(1026.25)
    assert row["median"] == pytest.approx(52.5)
    assert row["max"] == 4000 and row["min"] == 0
    assert row["under_10"] == 2 and row["over_1000"] == 1
    assert out.loc["following_count", "q50"] == pytest.approx(25)


def test_plot_followers_marks_median_and_mean():
    users = make_users({"userid": str(i), "follower_count": f}
                       for i, f in enumerate([0, 1, 10, 100, 1000]))
    ax = accounts.plot_followers(users)
    assert ax.get_title() == "Followers per account"
    assert ax.get_xlabel() == "followers (count, symmetric log scale)"
    assert ax.get_ylabel() == "accounts"
    assert ax.get_xscale() == "symlog"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "median 10" in labels and "mean 222" in labels
    assert sum(p.get_height() for p in ax.patches) == 5


# --------------------------------------------------------------------------- follow spam


def test_follow_spam_rule():
    users = make_users([
        {"userid": "spray", "follower_count": 100, "following_count": 2000},
        {"userid": "keen", "follower_count": 1000, "following_count": 3900},
        {"userid": "popular", "follower_count": 1500, "following_count": 2000},
        {"userid": "small", "follower_count": 0, "following_count": 900},
        {"userid": "asker", "follower_count": 500, "following_count": 400},
        {"userid": "quiet", "follower_count": 500, "following_count": 400},
    ])
    tweets = make_tweets(
        [{"userid": "asker", "tweet_text": t} for t in
         ["Sígueme y te sigo", "взаимная подписка!", "I follow back #F4F", "hello"]]
        + [{"userid": "quiet", "tweet_text": t} for t in
           ["follow back please", "followback", "unfollowed you"]]
    )
    out = accounts.follow_spam(users, tweets=tweets).set_index("userid")
    assert out.loc["spray", "follow_ratio"] == pytest.approx(20)
    assert out.loc["small", "follow_ratio"] == pytest.approx(900)  # followers floored at 1
    # a ratio of 3.9 (ordinary accounts reach it) stays below the default 5
    assert out["ratio_flag"].to_dict() == {"spray": True, "keen": False, "popular": False,
                                           "small": False, "asker": False, "quiet": False}
    assert accounts.follow_spam(users, min_ratio=3).set_index("userid").loc["keen", "flag"]
    assert out.loc["asker", "followback_tweets"] == 3
    assert out.loc["quiet", "followback_tweets"] == 2
    assert out.loc["asker", "followback_share"] == pytest.approx(0.75)
    assert out["flag"].to_dict() == {"spray": True, "keen": False, "popular": False,
                                     "small": False, "asker": True, "quiet": False}
    assert out.index[:2].tolist() == ["spray", "asker"]  # flagged first
    assert "1000" in out.attrs["rule"] and "3" in out.attrs["rule"]
    strict = accounts.follow_spam(users, tweets=tweets, min_followback_tweets=2)
    assert strict.set_index("userid").loc["quiet", "flag"]
    loose = accounts.follow_spam(users, min_following=500).set_index("userid")
    assert loose.loc["small", "flag"] and not loose["text_flag"].any()


def test_follow_spam_asks_for_the_control_release_not_its_tweets():
    # the rule reads the cohort's follower counts: its tweets alone cannot give them
    users = make_users([{"userid": "a", "follower_count": 10, "following_count": 2000}])
    ordinary = make_tweets([{"userid": "o1", "tweet_text": "lunch"}])
    with pytest.raises(ParameterError, match=r"pass case.control \(a Release\), not its tweets"):
        accounts.follow_spam(users, control=ordinary)


def test_follow_spam_says_its_rule_and_what_ordinary_accounts_give():
    # the table's caption states the rule that flags an account, and how many ordinary
    # accounts the same rule flags: flagged accounts are a finding only beside them
    users = make_users([{"userid": f"s{i}", "follower_count": 10, "following_count": 2000}
                        for i in range(8)]
                       + [{"userid": f"n{i}", "follower_count": 300, "following_count": 200}
                          for i in range(2)])
    tweets = make_tweets([{"userid": "n0", "tweet_text": "follow back"}] * 3)
    ordinary = FakeRelease(
        make_tweets([{"userid": f"o{i}", "tweet_text": "lunch"} for i in range(200)]),
        make_users([{"userid": f"o{i}", "follower_count": 200,
                     "following_count": 6000 if i < 2 else 180} for i in range(200)]),
        name="control")
    found = accounts.follow_spam(users, tweets=tweets, control=ordinary)
    assert int(found["flag"].sum()) == 9
    assert (found.attrs["control_flagged"], found.attrs["control_accounts"]) == (2, 200)
    words = accounts.follow_spam_in_words(found)
    assert words.startswith(
        "flagged when an account follows at least 1,000 accounts and at least 5 times as "
        "many as follow it, or posted at least 3 follow-back tweets: 9 of 10 accounts (90.0%)")
    assert "ordinary accounts: the same rule flags 2 of 200 (1.0%), at least" in words
    assert words.endswith("times theirs for cohorts of these sizes: distinguishable from "
                          "ordinary accounts")
    # the rule's own thresholds are the ones said; without tweets only the ratio part
    strict = accounts.follow_spam(users, min_ratio=100, min_following=1500, control=ordinary)
    words = accounts.follow_spam_in_words(strict)
    assert "at least 1,500 accounts and at least 100 times as many as follow it: 8 of 10" \
        in words
    assert "follow-back" not in words and "flags 0 of 200" in words
    # as many ordinary accounts flagged: not distinctive; no control: said so
    same = accounts.follow_spam(ordinary.users, control=ordinary)
    assert accounts.follow_spam_in_words(same).endswith("as many or more: not distinctive")
    assert accounts.follow_spam_in_words(accounts.follow_spam(users)).endswith(
        "not compared with ordinary accounts (no control cohort)")


# --------------------------------------------------------------------------- personas


@pytest.fixture
def profiles():
    return make_users([
        {"userid": "1", "user_screen_name": "AzerbaijanMFA", "user_display_name": "MFA",
         "user_profile_description": "Spokesperson of the Ministry of Foreign Affairs",
         "user_reported_location": "Baku, Azerbaijan"},
        {"userid": "2", "user_screen_name": "xeber_az", "user_display_name": "Xəbər Agentliyi",
         "user_reported_location": "Bakı"},
        {"userid": "3", "user_display_name": "Новости Баку", "user_reported_location": "Баку"},
        {"userid": "4", "user_display_name": "أخبار اليوم", "user_reported_location": "طهران"},
        {"userid": HASH, "user_screen_name": HASH, "user_display_name": HASH,
         "user_profile_description": "I love cats", "user_reported_location": "Yerevan"},
        {"userid": "6", "user_display_name": "Officially a cat person",
         "user_profile_description": "newsletter writer"},
        {"userid": "7", "user_display_name": "Nurse",
         "user_profile_description": "nurse | news junkie | News, politics"},
        {"userid": "8", "user_display_name": "Ganja News",
         "user_profile_description": "news junkies welcome"},
    ])


def test_persona_signals_match_in_several_scripts(profiles):
    out = accounts.persona_signals(profiles).set_index("userid")
    assert out.loc["1", "official"] and not out.loc["1", "news"]
    assert out.loc["1", "official_terms"] == "foreign affairs; mfa; ministry; spokesperson"
    assert out.loc["1", "claimed_place"] == "Azerbaijan"
    assert out.loc["2", "news"] and out.loc["2", "news_terms"] == "agentliyi; xəbər"
    assert out.loc["2", "claimed_place"] == "Azerbaijan"
    assert out.loc["3", "news_terms"] == "новости"
    assert out.loc["3", "claimed_place"] == "Azerbaijan"
    assert out.loc["4", "news_terms"] == "أخبار"
    assert out.loc["4", "claimed_place"] == "Iran"
    assert out.loc["4", "signals"] == "news; place"
    # a hashed account's name is a hash: no signal from its letters
    assert not out.loc[HASH, "official"] and not out.loc[HASH, "news"]
    assert out.loc[HASH, "claimed_place"] == "Armenia"
    # whole words only: "Officially", "newsletter" do not count
    assert out.loc["6", "n_signals"] == 0 and pd.isna(out.loc["6", "signals"])
    # an audience phrase is not a persona; an outlet's name still is
    assert not out.loc["7", "news"]
    assert out.loc["8", "news_terms"] == "news"
    unfiltered = accounts.persona_signals(profiles, exclude={}).set_index("userid")
    assert unfiltered.loc["7", "news"]
    assert out.index[:4].tolist() == ["1", "2", "3", "4"]  # most signals first


def test_persona_signals_custom_lexicons(profiles):
    out = accounts.persona_signals(profiles, lexicons={"feline": ["cat*"]},
                                   places={"Caucasus": ["Baku", "Yerevan"]})
    assert list(out.columns[4:6]) == ["feline", "feline_terms"]
    by_id = out.set_index("userid")
    assert by_id.loc["6", "feline_terms"] == "cat"
    assert by_id.loc[HASH, "claimed_place"] == "Caucasus"


# --------------------------------------------------------------------------- hashing, languages


def test_is_hashed_id():
    ids = pd.Series(["123456789012345678901", HASH, "abc", None], dtype="string")
    assert accounts.is_hashed_id(ids).tolist() == [False, True, True, True]


def test_hashed_share_by_hand():
    users = make_users([
        {"userid": "1", "tweet_count": 54}, {"userid": HASH, "tweet_count": 30},
        {"userid": "h2", "tweet_count": 16},
    ])
    out = accounts.hashed_share(users)
    assert out.loc[True, "accounts"] == 2 and out.loc[False, "accounts"] == 1
    assert out.loc[False, "tweet_share"] == pytest.approx(0.54)
    assert out.loc[True, "account_share"] == pytest.approx(2 / 3)
    tweets = make_tweets([{"userid": "1"}, {"userid": "h2"}, {"userid": "h2"}])
    assert accounts.hashed_share(users, tweets=tweets).loc[True, "tweets"] == 2


def test_profile_languages():
    users = make_users({"userid": str(i), "account_language": lang}
                       for i, lang in enumerate(["fa", "en", "fa", "en-gb", None, "FA"]))
    out = accounts.profile_languages(users)
    assert out["language"].tolist() == ["fa", "(empty)", "en", "en-gb"]
    assert out["accounts"].tolist() == [3, 1, 1, 1]
    assert out["share"].iloc[0] == pytest.approx(0.5)


# --------------------------------------------------------------------------- concentration


@pytest.fixture
def concentrated():
    counts = {"100": 54, "h1": 20, "h2": 16, "h3": 10}
    tweets = make_tweets({"userid": u} for u, n in counts.items() for _ in range(n))
    users = make_users([
        {"userid": "100", "user_screen_name": "StateTV", "follower_count": 161000},
        {"userid": "h1", "follower_count": 50}, {"userid": "h2"}, {"userid": "h3"},
    ])
    return FakeRelease(tweets, users)


def test_top_accounts_makes_concentration_visible(concentrated):
    out = accounts.top_accounts(concentrated, n=3)
    assert len(out) == 3
    top = out.iloc[0]
    assert top["userid"] == "100" and top["user_screen_name"] == "StateTV"
    assert top["share"] == pytest.approx(0.54)
    assert top["dominant"] and not out["dominant"].iloc[1:].any()
    assert not top["hashed"] and out["hashed"].iloc[1:].all()
    assert out["tweets"].tolist() == [54, 20, 16]
    assert out["cumulative_share"].tolist() == pytest.approx([0.54, 0.74, 0.90])
    assert out["rank"].tolist() == [1, 2, 3]
    assert top["follower_count"] == 161000


def test_concentration_by_hand(concentrated):
    out = accounts.concentration(concentrated.tweets).iloc[0]
    assert out["top1_share"] == pytest.approx(0.54)
    assert out["accounts_for_half"] == 1
    assert out["top5_share"] == pytest.approx(1.0)
    assert out["hhi"] == pytest.approx(0.54**2 + 0.2**2 + 0.16**2 + 0.1**2)
    # Gini of (10, 16, 20, 54): mean absolute difference / (2 * mean)
    x = np.array([10, 16, 20, 54])
    gini = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert out["gini"] == pytest.approx(gini)


def test_concentration_equal_accounts():
    tweets = make_tweets({"userid": u} for u in ["a", "b", "c", "d"] for _ in range(5))
    out = accounts.concentration(tweets).iloc[0]
    assert out["gini"] == pytest.approx(0.0)
    assert out["accounts_for_half"] == 2


# --------------------------------------------------------------------------- real data


def test_real_excerpt_smoke():
    release = load_real_excerpt()
    users, tweets = release.users, release.tweets
    assert accounts.creation_waves(users)["accounts"].sum() == len(users)
    assert accounts.hashed_share(users)["accounts"].tolist() == [26, 1]
    top = accounts.top_accounts(release, n=5)
    assert top["tweets"].iloc[0] == tweets["userid"].value_counts().iloc[0]
    assert not top["hashed"].iloc[0]  # the one numeric id is the most active account
    signals = accounts.persona_signals(users)
    assert len(signals) == len(users)
    accounts.follow_spam(users, tweets=tweets)
    accounts.follower_summary(users)
    accounts.profile_languages(users)
    accounts.plot_creation(users)
    accounts.plot_followers(users)


# --------------------------------------------------------------------------- neighbours


def test_neighbours_sum_both_directions_per_kind_and_rank_heaviest_first():
    edges = pd.DataFrame({
        "source": ["a", "b", "a", "a", "c", "d"],
        "target": ["b", "a", "c", "b", "a", "e"],
        "weight": [5, 3, 2, 1, 4, 9],
        "kind": ["co_retweet", "co_retweet", "co_retweet", "co_tweet", "co_tweet", "co_tweet"],
    })
    got = accounts.neighbours(edges, "a")
    assert got.columns.tolist() == ["userid", "weight", "out_weight", "in_weight", "kind",
                                    "kinds"]
    assert got["userid"].tolist() == ["b", "c"]  # d-e does not touch a
    b = got.iloc[0]
    # co_retweet: 5 out, 3 back; the larger direction is the weight
    assert (b["weight"], b["out_weight"], b["in_weight"], b["kind"]) == (5, 5, 3, "co_retweet")
    assert b["kinds"] == "co_retweet, co_tweet"
    c = got.iloc[1]
    assert (c["weight"], c["kind"], c["kinds"]) == (4, "co_tweet", "co_retweet, co_tweet")


def test_neighbours_without_kind_column_or_edges():
    edges = pd.DataFrame({"source": ["x"], "target": ["a"], "weight": [2]})
    got = accounts.neighbours(edges, "a", kind="co_post")
    assert got[["userid", "in_weight", "kind"]].values.tolist() == [["x", 2, "co_post"]]
    assert accounts.neighbours(edges, "nobody").empty
    assert accounts.neighbours(pd.DataFrame(), "a").columns.tolist()[:2] == ["userid", "weight"]


def test_is_hashed_id_and_top_accounts_fall_back_on_the_userid():
    ids = pd.Series(["123", HASH, None, "12a"], dtype="string")
    assert accounts.is_hashed_id(ids).tolist() == [False, True, True, True]
    release = FakeRelease(make_tweets([{"userid": "123"}, {"userid": HASH}]),
                          make_users([{"userid": "123", "hashed": True}]))
    top = accounts.top_accounts(release).set_index("userid")["hashed"]
    # the users table says 123 was hashed; HASH is not in it, so its id decides
    assert top.to_dict() == {"123": True, HASH: True}


# --------------------------------------------------------------------------- fast paths
# Tweets per account come from the cached author codes (no groupby on the userid
# strings, no drop_duplicates over the whole table): checked against the pandas they
# replaced on random frames (tests/test_activity.py).

from hypothesis import given  # noqa: E402

from tests.test_activity import _PROPERTY, tweet_frames  # noqa: E402


@_PROPERTY
@given(tweet_frames())
def test_account_tables_match_a_groupby(tweets):
    users = make_users([{"userid": "u1", "user_screen_name": "One", "follower_count": 3},
                        {"userid": "zz", "following_count": 5000}])
    release = FakeRelease(tweets=tweets, users=users)
    per = tweets.groupby("userid").size()
    got = accounts.top_accounts(release, n=None)
    assert dict(zip(got["userid"], got["tweets"], strict=True)) == per.to_dict()
    first = tweets.dropna(subset=["userid"]).drop_duplicates("userid").set_index("userid")
    for _, row in got.iterrows():
        if row["userid"] not in set(users["userid"]):  # names from the first tweet row
            want = first.loc[row["userid"], "user_screen_name"]
            assert (pd.isna(want) and pd.isna(row["user_screen_name"])) \
                or row["user_screen_name"] == want
    if len(per):
        shares = np.sort(per.to_numpy())[::-1] / per.sum()
        assert accounts.concentration(tweets)["top1_share"].iloc[0] == shares[0]
    spam = accounts.follow_spam(users, tweets=tweets).set_index("userid")
    hits = accounts.match_lexicon(tweets["tweet_text"], accounts.FOLLOWBACK_TERMS)
    for uid in users["userid"]:
        assert spam.loc[uid, "tweets"] == per.get(uid, 0)
        assert spam.loc[uid, "followback_tweets"] == int(hits[tweets["userid"] == uid].sum())


def test_the_top_share_of_a_cohort_falls_as_the_cohort_grows() -> None:
    import numpy as np

    counts = np.ceil(np.random.default_rng(1).lognormal(2.5, 0.8, 400)).astype(int)
    tweets = pd.DataFrame({"userid": np.repeat([f"u{i}" for i in range(400)], counts)})
    medians = [accounts.top_share_at_size(tweets, m).iloc[0]["median"] for m in (5, 35, 238)]
    assert medians == sorted(medians, reverse=True) and medians[0] > 0.2
    whole = accounts.top_share_at_size(tweets, 10_000).iloc[0]
    assert whole["drawn"] == 400 and whole["median"] == counts.max() / counts.sum()
    row = accounts.top_share_at_size(tweets, 35).iloc[0]
    assert row["low"] <= row["median"] <= row["high"]
    assert accounts.top_share_at_size(tweets, 35).equals(accounts.top_share_at_size(tweets, 35))
    empty = accounts.top_share_at_size(tweets.iloc[:0], 5).iloc[0]
    assert empty["accounts"] == 0 and np.isnan(empty["median"])
    # the same cohort in another row order draws the same accounts' counts
    shuffled = tweets.sample(frac=1, random_state=3).reset_index(drop=True)
    assert accounts.top_share_at_size(shuffled, 35).iloc[0].equals(row)
    for bad in ({"n_accounts": 0}, {"n_accounts": 5, "draws": 0}):
        with pytest.raises(ParameterError):
            accounts.top_share_at_size(tweets, **bad)


def test_the_largest_of_a_cohort_at_a_size_is_exact() -> None:
    # every draw of 3 of 7 values, counted: the quantiles of their largest
    import itertools

    import numpy as np

    values = np.array([5.0, 1.0, 9.0, 3.0, 7.0, 2.0, 8.0])
    largest = sorted(max(c) for c in itertools.combinations(values, 3))
    for q in (0.1, 0.5, 0.9, 1.0):
        want = largest[int(np.ceil(q * len(largest))) - 1]  # the smallest with F >= q
        assert accounts.largest_at_size(values, 3, q=q) == want, q
    assert accounts.largest_at_size(values, 1) == 5.0  # the median value
    assert accounts.largest_at_size(values, 7) == accounts.largest_at_size(values, 70) == 9.0
    assert accounts.largest_at_size(pd.Series([4.0, None, 6.0]), 1) == 4.0  # NaN left out
    assert np.isnan(accounts.largest_at_size(np.array([]), 3))
    # it grows with the size drawn
    rng = np.random.default_rng(2)
    many = rng.lognormal(5, 2, 400)
    assert accounts.largest_at_size(many, 10) < accounts.largest_at_size(many, 100) < many.max()
    for bad in ({"n": 0}, {"n": 3, "q": 0.0}, {"n": 3, "q": 1.5}):
        with pytest.raises(ParameterError):
            accounts.largest_at_size(values, **bad)
