from __future__ import annotations

import socket

import numpy as np
import pandas as pd
import pytest

from casebook import activity, content
from tests._frames import FakeRelease, load_real_excerpt, make_tweets, make_users

# --------------------------------------------------------------------------- lexicons


@pytest.mark.parametrize(
    ("terms", "text", "expected"),
    [
        (["NATO"], "Stop #NATO now", True),
        (["NATO"], "NATO's drills", True),
        (["NATO"], "Donatos pizza", False),
        (["нато"], "Учения НАТО, снова", True),
        (["нато"], "за донатом", False),
        (["новост*"], "Последние новостей", True),
        (["أخبار"], "أخبار اليوم", True),
        (["أخبار"], "الأخباري", False),
        (["*ناتو"], "قوات الناتو", True),
        (["White Helmets"], "the white\n helmets again", True),
        (["White Helmets"], "white\u00a0helmets", True),
        (["#NoDEF20"], "#nodef20!", True),
        (["Deir ez-Zor"], "in deir EZ-ZOR.", True),
        (["xəbər*"], "Xəbərlər agentliyi", True),
        ([], "anything", False),
    ],
)
def test_lexicon_word_boundaries_in_any_script(terms, text, expected):
    # the Python pattern (term extraction) and the RE2 one (matching) agree
    assert bool(content.compile_lexicon(terms).search(text)) is expected
    texts = pd.Series([text], dtype="string")
    assert content.match_lexicon(texts, terms).tolist() == [expected]


def test_match_lexicon_missing_text_is_false():
    texts = pd.Series(["NATO", None, "nothing"], dtype="string")
    assert content.match_lexicon(texts, ["nato"]).tolist() == [True, False, False]


@pytest.fixture
def narrative_tweets():
    return make_tweets([
        {"userid": "a", "tweet_time": "2020-01-06 10:00", "tweet_text": "NATO out of Europe"},
        {"userid": "b", "tweet_time": "2020-01-07 10:00", "tweet_text": "НАТО и Сирия"},
        {"userid": "a", "tweet_time": "2020-01-08 10:00", "tweet_text": "Idlib today"},
        {"userid": "c", "tweet_time": "2020-01-08 11:00", "tweet_text": "cats"},
        {"userid": "a", "tweet_time": "2020-01-21 10:00", "tweet_text": "#NoDEF20 #nato"},
    ])


LEX = {"nato": ["NATO", "нато", "#NoDEF20"], "syria": ["Idlib", "Сирия"]}


def test_lexicon_counts_by_hand(narrative_tweets):
    out = content.lexicon_counts(narrative_tweets, LEX, freq="W")
    weeks = out["period"].dt.strftime("%Y-%m-%d")
    # W bins end on Sunday: 6-12 Jan, 13-19 Jan (empty), 20-26 Jan
    assert weeks.unique().tolist() == ["2020-01-12", "2020-01-19", "2020-01-26"]
    assert out["narrative"].tolist() == ["nato", "syria"] * 3
    assert out["tweets"].tolist() == [2, 2, 0, 0, 1, 0]
    assert out["accounts"].tolist() == [2, 2, 0, 0, 1, 0]
    assert out["share"].tolist() == pytest.approx([0.5, 0.5, 0.0, 0.0, 1.0, 0.0])


def test_lexicon_accounts_by_hand(narrative_tweets):
    out = content.lexicon_accounts(narrative_tweets, LEX)
    nato = out.loc[out["narrative"] == "nato"].set_index("userid")
    assert nato.index.tolist() == ["a", "b", "c"]
    assert nato["tweets"].tolist() == [2, 1, 0]
    assert nato.loc["a", "account_tweets"] == 3
    assert nato.loc["a", "share"] == pytest.approx(2 / 3)


def test_plot_lexicon_counts(narrative_tweets):
    ax = content.plot_lexicon_counts(narrative_tweets, LEX, freq="W", events=[
        {"name": "Defender", "start": "2020-01-14", "end": "2020-01-16"}])
    assert len(ax.lines) == 2
    assert ax.get_ylabel() == "matching tweets per week"
    assert ax.get_title() == "Tweets matching each narrative, per week"
    assert sum(p.get_gid() == activity.EVENT_GID for p in ax.patches) == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["nato", "syria"]


# --------------------------------------------------------------------------- languages


def test_tweet_languages_handles_und_empty_and_legacy():
    tweets = make_tweets([
        {"userid": "a", "tweet_language": "en"}, {"userid": "a", "tweet_language": "und"},
        {"userid": "b", "tweet_language": None}, {"userid": "b", "tweet_language": ""},
        {"userid": "c", "tweet_language": "in"}, {"userid": "c", "tweet_language": "id"},
        {"userid": "c", "tweet_language": "iw"},
    ])
    out = content.tweet_languages(tweets).set_index("language")
    assert out.loc["(empty)", "tweets"] == 2
    assert out.loc["und", "tweets"] == 1
    assert out.loc["id", "tweets"] == 2 and "in" not in out.index
    assert out.loc["he", "tweets"] == 1
    assert out["share"].sum() == pytest.approx(1.0)
    assert out.index[0] in {"(empty)", "id"}  # most frequent first
    raw = content.tweet_languages(tweets, normalise_legacy=False).set_index("language")
    assert raw.loc["in", "tweets"] == 1


# --------------------------------------------------------------------------- clients


def test_client_table_known_and_unknown_names():
    names = ["Twitter Web App", "twitter  for iphone", "Hootsuite Inc.", "TweetDeck",
             "dlvr.it", "Twitter for Android", "SomeApp", None, "Zapier.com", "IFTTT",
             "Twittascope", "SocialOomph", "Sprout Social", "twitterfeed", "Buffer",
             "Twitter Web Client", "Twitter for iPad"]
    tweets = make_tweets({"userid": "u", "tweet_client_name": n} for n in names)
    got = content.classify_clients(tweets).tolist()
    assert got == ["official", "mobile", "management", "management", "automation", "mobile",
                   "unknown", "unknown", "automation", "automation", "automation",
                   "scheduling", "management", "automation", "scheduling", "official",
                   "mobile"]
    assert set(content.CLIENT_CLASSES.values()) <= set(content.CLIENT_CLASS_ORDER)
    assert content.CLIENT_CLASS_ORDER == ("official", "mobile", "management", "scheduling",
                                          "automation", "unknown")


def test_unknown_clients_are_not_guessed_from_their_names():
    tweets = make_tweets([
        {"userid": "1", "user_screen_name": "Baku_Today", "tweet_client_name": "baku today"},
        {"userid": "2", "tweet_client_name": "news-site.az"},
        {"userid": "3", "tweet_client_name": "westvoicesnews", "urls": ["https://westvoices.com/a"]},
        {"userid": "6", "tweet_client_name": "levantwirenews"},
        {"userid": "6", "tweet_client_name": "Xəbər Portalı"},
        {"userid": "7", "tweet_client_name": "Tweetbot for iOS"},
    ])
    assert set(content.classify_clients(tweets)) == {"unknown"}
    custom = {"levantwirenews": "automation"}
    assert content.classify_clients(tweets, classes=custom).tolist()[3] == "automation"


def test_client_class_shares_lists_every_class():
    tweets = make_tweets(
        [{"userid": "a", "tweet_client_name": "Twitter Web App"}] * 5
        + [{"userid": "b", "tweet_client_name": "Hootsuite Inc."}] * 2
        + [{"userid": "b", "tweet_client_name": "Buffer"}]
        + [{"userid": "d", "tweet_client_name": "IFTTT"}]
        + [{"userid": "c", "tweet_client_name": "Unknown thing"}]
    )
    out = content.client_class_shares(tweets).set_index("client_class")
    assert out.index.tolist() == list(content.CLIENT_CLASS_ORDER)
    assert out["tweets"].tolist() == [5, 0, 2, 1, 1, 1]
    assert out.loc["management", "share"] == pytest.approx(0.2)
    table = content.client_table(tweets)
    assert table["client"].tolist()[:2] == ["Twitter Web App", "Hootsuite Inc."]
    assert table.set_index("client")["client_class"].to_dict() == {
        "Twitter Web App": "official", "Hootsuite Inc.": "management", "Buffer": "scheduling",
        "IFTTT": "automation", "Unknown thing": "unknown"}
    assert content.automated_share(tweets) == pytest.approx(0.2)
    assert content.automated_share(tweets, management=True) == pytest.approx(0.4)
    assert np.isnan(content.automated_share(tweets.iloc[:0]))


def test_stance_lexicon_needs_topic_and_stance():
    texts = pd.Series(["Reading about the NATO summit", "NATO is a provocation",
                       "What a provocation", "Экспансия НАТО на Восток", None])
    lexicon = {"topic": ["NATO", "нато"], "stance": ["provocation*", "экспанси*"]}
    assert content.match_lexicon(texts, lexicon).tolist() == [False, True, False, True, False]
    assert content.match_lexicon(texts, ["NATO", "нато"]).tolist() == [
        True, True, False, True, False]
    tweets = make_tweets({"userid": "u", "tweet_text": t} for t in texts)
    per = content.lexicon_accounts(tweets, {"anti_nato": lexicon})
    assert per["tweets"].tolist() == [2]
    with pytest.raises(ValueError, match="topic"):
        content.match_lexicon(texts, {"topic": ["NATO"]})
    default = content.NARRATIVE_LEXICONS["anti_nato"]
    assert content.match_lexicon(texts, default).tolist() == [False, True, False, True, False]


# --------------------------------------------------------------------------- entities


def test_top_hashtags_case_folded_and_once_per_tweet():
    tweets = make_tweets([
        {"userid": "a", "hashtags": ["NATO", "nato", "Syria"]},
        {"userid": "b", "hashtags": ["Nato"]},
        {"userid": "b", "hashtags": []},
        {"userid": "c", "hashtags": None},
    ])
    out = content.top_hashtags(tweets)
    assert out["hashtag"].tolist() == ["nato", "syria"]
    assert out["tweets"].tolist() == [2, 1]
    assert out["accounts"].tolist() == [2, 1]
    assert out["share"].tolist() == pytest.approx([0.5, 0.25])
    assert len(content.top_hashtags(tweets, n=1)) == 1


def test_top_mentions_marks_release_accounts():
    tweets = make_tweets([
        {"userid": "a", "user_mentions": ["111", "222"]},
        {"userid": "b", "user_mentions": ["111"]},
        {"userid": "b", "user_mentions": ["111", "111"]},
    ])
    users = make_users([{"userid": "111", "user_screen_name": "InsideOne"},
                        {"userid": "a"}, {"userid": "b"}])
    out = content.top_mentions(tweets, users=users)
    assert out["userid"].tolist() == ["111", "222"]
    assert out["tweets"].tolist() == [3, 1]
    assert out["accounts"].tolist() == [2, 1]
    assert out["in_release"].tolist() == [True, False]
    assert out["user_screen_name"].iloc[0] == "InsideOne"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    content._extractor.cache_clear()  # build the extractor under the patch
    yield
    content._extractor.cache_clear()


def test_registered_domains_offline(no_network):
    urls = pd.Series([
        "https://a.b.example.co.uk/x?y=1", "http://nat-antivirus.livejournal.com/212268.html",
        "https://www.Medium.com/@someone/post", "http://192.168.0.1:8080/x", None,
        "user@host.ru/page", "https://someone.blogspot.com/2020/01/post.html",
    ], dtype="string")
    got = content.registered_domains(urls).tolist()
    assert got[:4] == ["example.co.uk", "livejournal.com", "medium.com", "192.168.0.1"]
    assert got[4] is pd.NA
    assert got[5] == "host.ru"
    assert got[6] == "blogspot.com"
    private = content.registered_domains(urls, private_domains=True).tolist()
    assert private[6] == "someone.blogspot.com"
    assert private[1] == "livejournal.com"  # not on the public suffix list


def test_a_formula_or_markup_in_a_urls_field_names_no_host(no_network):
    # a hostile urls field: a spreadsheet formula read as a host '=hyperlink("http'
    urls = pd.Series(['=HYPERLINK("http://evil.example")', 'evil.example"onload=x',
                      "http://a.example(c)/d", "https://ok.example/x"], dtype="string")
    assert content.registered_domains(urls).tolist() == [
        pd.NA, "evil.example", "a.example", "ok.example"]


def test_top_domains_by_hand(no_network):
    tweets = make_tweets([
        {"userid": "a", "urls": ["https://x.example.com/1", "https://example.com/2"]},
        {"userid": "b", "urls": ["https://example.com/1", ""]},
        {"userid": "b", "urls": ["https://other.org"]},
        {"userid": "c", "urls": [""]},
    ])
    out = content.top_domains(tweets)
    assert out["domain"].tolist() == ["example.com", "other.org"]
    assert out["tweets"].tolist() == [2, 1]
    assert out["accounts"].tolist() == [2, 1]
    assert out["urls"].tolist() == [3, 1]
    assert out["share"].tolist() == pytest.approx([0.5, 0.25])


def test_urls_of_other_schemes_name_no_domain(no_network):
    urls = pd.Series(["javascript:alert(1)", "JavaScript:void(0)", "data:text/html,<b>x</b>",
                      "mailto:a@b.example", "  https://example.com/x", "//cdn.example.org/a.js",
                      "example.net:8080/x"], dtype="string")
    got = content.registered_domains(urls).tolist()
    assert got[:4] == [pd.NA] * 4
    assert got[4:] == ["example.com", "example.org", "example.net"]
    assert content.url_schemes(urls).tolist()[:5] == ["javascript", "javascript", "data",
                                                      "mailto", "https"]


def test_both_spellings_of_an_international_domain_are_one(no_network):
    urls = pd.Series(["https://www.\u043a\u0440\u0435\u043c\u043b\u044c.\u0440\u0444/",
                      "http://xn--d1acpjx3f.xn--p1ai/x", "http://XN--PPLE-43D.com/",
                      "https://\u0430pple.com/login", "https://apple.com/"], dtype="string")
    got = content.registered_domains(urls).tolist()
    assert got[0] == "\u043a\u0440\u0435\u043c\u043b\u044c.\u0440\u0444"  # one script
    assert got[1] == "\u044f\u043d\u0434\u0435\u043a\u0441.\u0440\u0444"
    assert got[2] == got[3] == "\u0430pple.com [mixed scripts: xn--pple-43d.com]"
    assert got[4] == "apple.com"


def test_top_domains_counts_other_schemes_apart_and_flags_mixed_scripts(no_network):
    tweets = make_tweets([
        {"userid": "a", "urls": ["javascript:alert(1)", "https://\u0430pple.com/a"]},
        {"userid": "b", "urls": ["http://xn--pple-43d.com/b", "data:text/html,x"]},
        {"userid": "c", "urls": ["https://example.com/"]},
    ])
    out = content.top_domains(tweets).set_index("domain")
    assert "javascript" not in out.index and "data" not in out.index
    assert out.loc["(javascript: URL)", "tweets"] == 1 and out.loc["(data: URL)", "tweets"] == 1
    apple = "\u0430pple.com [mixed scripts: xn--pple-43d.com]"
    assert out.loc[apple, "tweets"] == 2 and out.loc[apple, "urls"] == 2
    assert out["mixed_script"].to_dict() == {d: d == apple for d in out.index}


# --------------------------------------------------------------------------- retweets


def test_retweet_targets_read_only_the_texts_ids_leave_open(monkeypatch):
    # the "RT @handle:" prefix decides only when neither retweet_userid nor a retweeted
    # tweet of the release names the target: only those retweets' texts are searched
    tweets = make_tweets([
        {"tweetid": "10", "userid": "u1", "tweet_text": "original"},
        {"tweetid": "11", "userid": "u2", "is_retweet": True, "retweet_userid": "u1",
         "tweet_text": "RT @One: original"},
        {"tweetid": "12", "userid": "u2", "is_retweet": True, "retweet_tweetid": "10",
         "tweet_text": "RT @someone: original"},
        {"tweetid": "13", "userid": "u1", "is_retweet": True, "retweet_tweetid": "77",
         "tweet_text": "RT @two: hello"},
    ])
    release = FakeRelease(tweets, make_users([{"userid": "u1", "user_screen_name": "One"},
                                              {"userid": "u2", "user_screen_name": "Two"}]))
    searched: list[list[str]] = []
    real = content._rt_handles
    monkeypatch.setattr(content, "_rt_handles",
                        lambda texts: searched.append(texts.tolist()) or real(texts))
    out = content.retweet_targets(release).set_index("tweetid")
    assert searched == [["RT @two: hello"]]
    assert out["evidence"].tolist() == ["retweet_userid", "retweet_tweetid", "rt_prefix"]
    assert out.loc["13", ["target", "target_userid", "target_screen_name"]].tolist() == [
        "inside", "u2", "Two"]


def test_retweet_targets_inside_outside_unknown():
    tweets = make_tweets([
        {"tweetid": "10", "userid": "u1", "user_screen_name": "One", "tweet_text": "original"},
        {"tweetid": "11", "userid": "u2", "user_screen_name": "Two", "is_retweet": True,
         "retweet_userid": "u1", "retweet_tweetid": "10", "tweet_text": "RT @One: original"},
        {"tweetid": "12", "userid": "u2", "is_retweet": True, "retweet_userid": "999",
         "tweet_text": "RT @stranger: hi"},
        {"tweetid": "13", "userid": "u2", "is_retweet": True, "retweet_tweetid": "10",
         "tweet_text": "RT @someone: original"},
        {"tweetid": "14", "userid": "u1", "is_retweet": True, "retweet_tweetid": "77",
         "tweet_text": "RT @two: hello"},
        {"tweetid": "15", "userid": "u1", "is_retweet": True, "retweet_tweetid": "78",
         "tweet_text": "RT @stranger: hey"},
        {"tweetid": "16", "userid": "u1", "is_retweet": True, "retweet_tweetid": "79",
         "tweet_text": "no prefix"},
    ])
    users = make_users([{"userid": "u1", "user_screen_name": "One"},
                        {"userid": "u2", "user_screen_name": "Two"}])
    release = FakeRelease(tweets, users)
    out = content.retweet_targets(release).set_index("tweetid")
    assert out.index.tolist() == ["11", "12", "13", "14", "15", "16"]
    assert out["target"].tolist() == ["inside", "outside", "inside", "inside", "outside",
                                      "unknown"]
    assert out["evidence"].tolist() == ["retweet_userid", "retweet_userid", "retweet_tweetid",
                                        "rt_prefix", "rt_prefix", "none"]
    assert out.loc["13", "target_userid"] == "u1"
    assert out.loc["14", "target_userid"] == "u2"
    assert out.loc["14", "target_screen_name"] == "Two"
    assert out.loc["15", "target_screen_name"] == "stranger"
    summary = content.retweet_target_summary(release).set_index("target")
    assert summary["retweets"].tolist() == [3, 2, 1]
    assert summary.loc["inside", "share_of_known"] == pytest.approx(0.6)
    assert np.isnan(summary.loc["unknown", "share_of_known"])


# --------------------------------------------------------------------------- engagement


@pytest.fixture
def engagement_tweets():
    return make_tweets([
        {"userid": "a", "like_count": 0, "retweet_count": 0, "reply_count": 0, "quote_count": 0},
        {"userid": "a", "like_count": 2, "retweet_count": 1, "reply_count": 0, "quote_count": 0},
        {"userid": "b", "like_count": 10, "retweet_count": 4, "reply_count": 1,
         "quote_count": 1},
        {"userid": "b", "is_retweet": True, "like_count": 0, "retweet_count": 0,
         "reply_count": 0, "quote_count": 0},
        {"userid": "b", "is_retweet": True, "like_count": 0, "retweet_count": 0,
         "reply_count": 0, "quote_count": 0},
    ])


def test_engagement_summary_excludes_retweets(engagement_tweets):
    out = content.engagement_summary(engagement_tweets)
    assert out.attrs["retweets_excluded"] == 2
    assert out.loc["like_count", "originals"] == 3
    assert out.loc["like_count", "median"] == 2  # with the zero-count retweets it would be 0
    assert out.loc["like_count", "sum"] == 12
    assert out.loc["total", "sum"] == 19
    assert out.loc["total", "median"] == 3
    assert out.loc["total", "zero_share"] == pytest.approx(1 / 3)
    assert "p90" in out.columns


def test_engagement_summary_takes_the_control_release_or_its_tweets(engagement_tweets):
    ordinary = make_tweets([{"userid": f"o{i}", "like_count": i} for i in range(4)])
    cohort = FakeRelease(ordinary, make_users([{"userid": f"o{i}"} for i in range(4)]),
                         name="control")
    as_tweets = content.engagement_summary(engagement_tweets, control=ordinary)
    as_release = content.engagement_summary(engagement_tweets, control=cohort)
    pd.testing.assert_frame_equal(as_release, as_tweets)
    assert as_release.attrs == as_tweets.attrs == {"retweets_excluded": 2,
                                                   "control_originals": 4}


def test_engagement_summary_sets_ordinary_accounts_beside_each_metric(engagement_tweets):
    # a network said to draw "little engagement" can draw more than ordinary accounts:
    # the table shows their median and mean beside its own, and the words say the side
    ordinary = make_tweets([{"userid": f"o{i}", "like_count": 0, "retweet_count": 0,
                             "reply_count": 0, "quote_count": int(i == 0)} for i in range(4)])
    out = content.engagement_summary(engagement_tweets, control=ordinary)
    assert out.columns.tolist() == ["originals", "sum", "mean", "control_mean", "median",
                                    "control_median", "p90", "max", "zero_share",
                                    "control_zero_share"]
    assert out.loc["like_count", "median"] == 2 and out.loc["like_count", "control_median"] == 0
    assert out.loc["total", "control_mean"] == pytest.approx(0.25)
    assert out.loc["total", "control_zero_share"] == pytest.approx(0.75)
    assert out.attrs == {"retweets_excluded": 2, "control_originals": 4}
    assert content.engagement_in_words(out) == (
        "median engagements per original tweet 3 (mean 6.33) here, 0 (mean 0.25) for ordinary "
        "accounts: more than ordinary accounts draw, so low engagement is not what sets this "
        "network apart")
    # the other way round: less than ordinary accounts, and by how much
    theirs = content.engagement_summary(ordinary, control=engagement_tweets)
    assert content.engagement_in_words(theirs).endswith(
        "less than ordinary accounts draw (the median is 0 here, above 0 for them: "
        "distinguishable from ordinary accounts)")
    # without a control: the same table as before, and the words say it was not compared
    alone = content.engagement_summary(engagement_tweets)
    assert "control_median" not in alone.columns
    assert content.engagement_in_words(alone).endswith(
        "not compared with ordinary accounts (no control cohort)")


def test_engagement_by_account(engagement_tweets):
    out = content.engagement_by_account(engagement_tweets).set_index("userid")
    assert out.index.tolist() == ["b", "a"]
    assert out.loc["b", "originals"] == 1 and out.loc["b", "retweets"] == 2
    assert out.loc["b", "engagement"] == 16
    assert out.loc["a", "engagement_per_original"] == pytest.approx(1.5)
    assert out.loc["a", "median_likes"] == 1
    assert out.loc["a", "zero_share"] == pytest.approx(0.5)


# --------------------------------------------------------------------------- real data


def test_real_excerpt_smoke(no_network):
    release = load_real_excerpt()
    tweets = release.tweets
    assert content.tweet_languages(tweets)["tweets"].sum() == len(tweets)
    assert content.client_class_shares(tweets)["tweets"].sum() == len(tweets)
    tags = content.top_hashtags(tweets, n=5)
    assert tags["hashtag"].iloc[0] == "syria"
    domains = content.top_domains(tweets, n=None)
    assert "livejournal.com" in set(domains["domain"])
    content.top_mentions(tweets, users=release.users)
    content.lexicon_counts(tweets, content.NARRATIVE_LEXICONS, freq="MS")
    assert content.retweet_target_summary(release)["retweets"].sum() == int(
        activity.retweet_mask(tweets).sum())
    summary = content.engagement_summary(tweets)
    assert summary.loc["like_count", "originals"] + summary.attrs["retweets_excluded"] == len(
        tweets)


def test_lexicon_accounts_min_tweets_keeps_only_heavy_pairs():
    import pandas as pd

    from casebook import schema

    tweets = pd.DataFrame({
        "userid": pd.array(["a", "a", "a", "b"], dtype=schema.STRING),
        "tweet_text": pd.array(["NATO out", "no NATO", "NATO again", "NATO"], dtype=schema.STRING),
    })
    all_pairs = content.lexicon_accounts(tweets, {"anti_nato": ["NATO"]})
    assert set(all_pairs["userid"]) == {"a", "b"}
    heavy = content.lexicon_accounts(tweets, {"anti_nato": ["NATO"]}, min_tweets=3)
    assert heavy["userid"].tolist() == ["a"] and heavy["tweets"].tolist() == [3]


# --------------------------------------------------------------------------- labels, subsets


def test_language_labels_strip_lower_and_map_legacy_codes():
    codes = pd.Series([" EN", "iw", "in", "", None, "und"], dtype="string")
    assert content.language_labels(codes).tolist() == ["en", "he", "id", "(empty)",
                                                      "(empty)", "und"]
    assert content.language_labels(codes, normalise_legacy=False).tolist()[1:3] == ["iw", "in"]


def test_shared_retweets_finds_every_retweet_of_what_the_accounts_retweeted():
    tweets = make_tweets([
        {"userid": "a", "retweet_tweetid": "1"},
        {"userid": "b", "retweet_tweetid": "1"},
        {"userid": "c", "retweet_tweetid": "2"},
        {"userid": "a"},  # an original: no key, never shared
        {"userid": "d"},
        {"userid": "e", "retweet_tweetid": "3"},
        {"userid": "f", "retweet_tweetid": "3"},
    ])
    got = content.shared_retweets(tweets, ["a"])
    assert got.index.equals(tweets.index)
    assert got.tolist() == [True, True, False, False, False, False, False]
    assert content.shared_retweets(tweets, ["a", "f"]).sum() == 4
    assert not content.shared_retweets(tweets, ["zz"]).any()


# --------------------------------------------------------------------------- fast paths
# The sections count on integer codes (authors, tweets, tags, periods), cache what
# several sections read (lexicon matches, exploded lists), and match with RE2 where
# Python's re ran per text. Each fast path is checked against the plain pandas it
# replaced, on random frames in several Arrow chunks (tests/test_activity.py).

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from casebook._frames import explode_list  # noqa: E402
from tests.test_activity import _PROPERTY, tweet_frames  # noqa: E402

_LEXICONS = {"nato": {"topic": ["NATO", "нато"], "stance": ["provocation*", "*угроз*"]},
             "palestine": ["Palestine", "Палестина", "Gaza", "follow back"],
             "empty": []}


def _reference_count_table(frame, key, *, total, n=None):
    grouped = frame.groupby(key)
    out = (pd.DataFrame({"tweets": grouped.size(), "accounts": grouped["userid"].nunique()})
           .reset_index().assign(share=lambda d: d["tweets"] / total if total else np.nan)
           .sort_values(["tweets", key], ascending=[False, True], kind="stable")
           .reset_index(drop=True)
           .astype({"tweets": "int64", "accounts": "int64", key: "string[pyarrow]"}))
    return out.head(n) if n is not None else out


@_PROPERTY
@given(tweet_frames(), st.sampled_from(["W", "D", "MS"]))
def test_lexicon_counts_match_a_melted_groupby(tweets, freq):
    names = list(_LEXICONS)
    matches = pd.DataFrame({k: [bool(content.compile_lexicon(v).search(t)) if isinstance(v, list)
                                else bool(content.compile_lexicon(v["topic"]).search(t)
                                          and content.compile_lexicon(v["stance"]).search(t))
                                for t in tweets["tweet_text"].fillna("")]
                            for k, v in _LEXICONS.items()}, index=tweets.index).astype(bool)
    frame = pd.concat([tweets[["tweet_time", "userid"]], matches], axis=1).dropna(
        subset=["tweet_time"])
    grouper = pd.Grouper(key="tweet_time", freq=freq)
    totals = frame.groupby(grouper).size()
    got = content.lexicon_counts(tweets, _LEXICONS, freq=freq)
    assert len(got) == len(totals) * len(names)
    assert got["narrative"].tolist() == names * len(totals)
    for name in names:
        part = got[got["narrative"] == name].set_index("period")
        want = frame.groupby(grouper)[name].sum().reindex(totals.index, fill_value=0)
        assert part["tweets"].tolist() == want.astype(int).tolist()
        hit = frame[frame[name]]
        accounts = hit.groupby(pd.Grouper(key="tweet_time", freq=freq))["userid"].nunique()
        assert part["accounts"].tolist() == accounts.reindex(totals.index, fill_value=0).tolist()
        share = (want / totals).where(totals > 0, 0.0)
        assert np.allclose(part["share"].to_numpy(), share.to_numpy(), rtol=0, atol=0)
    by_account = content.lexicon_accounts(tweets, _LEXICONS)
    authored = pd.concat([tweets[["userid"]], matches], axis=1).dropna(subset=["userid"])
    for name in names:
        part = by_account[by_account["narrative"] == name].set_index("userid")
        want = authored.groupby("userid")[name].sum()
        assert part["tweets"].sort_index().tolist() == want.sort_index().astype(int).tolist()
        assert part["account_tweets"].sort_index().tolist() == \
            authored.groupby("userid").size().sort_index().tolist()


_TERMS = ["nato*", "*ناتو", "NATO", "news", "a b", "#tag", "провокац*", "*угроз*", "x_y*", "1"]
_PIECES = ["nato", "NATOs", "ناتو", "الناتو", "news", "newsy", "a  b", "a\u00a0b", "#tag",
           "#tagged", "провокация", "угрозы", "x_yz", "_", "1", "12", "!", " ", "-", "é", "z"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_TERMS), max_size=4),
       st.lists(st.lists(st.sampled_from(_PIECES), max_size=6), min_size=1, max_size=8))
def test_re2_match_agrees_with_the_python_pattern(terms, pieces):
    texts = pd.Series(["".join(p) for p in pieces], dtype="string[pyarrow]")
    python = compiled = content.compile_lexicon(terms)
    want = [bool(python.search(t)) for t in texts]
    assert content.match_lexicon(texts, terms).tolist() == want, compiled.pattern


_HANDLE_CHARS = ["a", "Ş", "_", "1", ":", " ", "\u00a0", "\x1c", "\x85", "\u2028", "\u3000",
                 "\x0b", "\t", "@", "é", "\u200b"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["RT @", "rt @", "RT ", ""]),
                          st.lists(st.sampled_from(_HANDLE_CHARS), max_size=6)), max_size=8))
def test_rt_handles_agree_with_python_extract(parts):
    texts = pd.Series([p + "".join(c) for p, c in parts], dtype="string[pyarrow]")
    want = texts.str.extract(content._RT_PREFIX, expand=False)
    got = content._rt_handles(texts)
    assert got.fillna("<NA>").tolist() == want.fillna("<NA>").tolist()


def test_id_numbers_only_for_plain_decimal_ids():
    ids = lambda values: pd.Series(values, dtype="string[pyarrow]")  # noqa: E731
    assert content._id_numbers(ids(["1", "20", None])).tolist() == [1, 20, content._NO_ID]
    assert content._id_numbers(ids(["1", "01"])) is None  # "01" is not the id "1"
    assert content._id_numbers(ids(["1", "x"])) is None
    assert content._id_numbers(ids(["18446744073709551615"])) is None  # reads as missing


@_PROPERTY
@given(tweet_frames())
def test_top_hashtags_match_an_exploded_groupby(tweets):
    flat = (explode_list(tweets, "hashtags", keep=("tweetid", "userid"))
            .assign(hashtag=lambda d: d["hashtags"].str.casefold().str.lstrip("#"))
            .loc[lambda d: d["hashtag"].fillna("") != ""]
            .drop_duplicates(["tweetid", "hashtag"]))
    want = _reference_count_table(flat, "hashtag", total=len(tweets))
    pd.testing.assert_frame_equal(content.top_hashtags(tweets, n=None), want, check_exact=True)


@_PROPERTY
@given(tweet_frames())
def test_count_tables_match_a_groupby(tweets):
    lang = tweets["tweet_language"].astype("string[pyarrow]").str.strip().str.lower()
    lang = lang.replace(content.LEGACY_LANGUAGE_CODES)
    lang = lang.mask(lang.fillna("") == "", "(empty)").fillna("(empty)")
    assert content.language_labels(tweets["tweet_language"]).tolist() == lang.tolist()
    want = _reference_count_table(pd.DataFrame({"language": lang, "userid": tweets["userid"]}),
                                  "language", total=len(tweets))
    pd.testing.assert_frame_equal(content.tweet_languages(tweets), want, check_exact=True)
    lookup = {" ".join(k.casefold().split()): v for k, v in content.CLIENT_CLASSES.items()}
    classes = [lookup.get(" ".join(c.casefold().split()), "unknown") if isinstance(c, str)
               else "unknown" for c in tweets["tweet_client_name"].astype(object).where(
                   tweets["tweet_client_name"].notna(), None)]
    assert content.classify_clients(tweets).tolist() == classes
    frame = pd.DataFrame({"client_class": classes, "userid": tweets["userid"]})
    grouped = frame.groupby("client_class")
    want = (pd.DataFrame({"tweets": grouped.size(), "accounts": grouped["userid"].nunique()})
            .reindex(list(content.CLIENT_CLASS_ORDER), fill_value=0))
    got = content.client_class_shares(tweets).set_index("client_class")
    assert got["tweets"].tolist() == want["tweets"].tolist()
    assert got["accounts"].tolist() == want["accounts"].tolist()
    table = content.client_table(tweets)
    assert table["tweets"].sum() == len(tweets)


def _reference_targets(release):
    tweets, users = release.tweets, release.users
    rt = tweets.loc[activity.retweet_mask(tweets)]
    ids = pd.Index(pd.concat([users["userid"], tweets["userid"]]).dropna().unique())
    names = pd.concat([users[["userid", "user_screen_name"]],
                       tweets[["userid", "user_screen_name"]]]).dropna()
    name_of = names.drop_duplicates("userid").set_index("userid")["user_screen_name"]
    by_handle = (names.assign(key=lambda d: d["user_screen_name"].str.casefold())
                 .drop_duplicates("key").set_index("key")["userid"])
    author_of = tweets[["tweetid", "userid"]].dropna().drop_duplicates("tweetid").set_index(
        "tweetid")["userid"]
    handle = rt["tweet_text"].str.extract(content._RT_PREFIX, expand=False)
    by_tweet = rt["retweet_tweetid"].map(author_of)
    by_name = handle.str.casefold().map(by_handle)
    has_uid = rt["retweet_userid"].notna()
    has_tweet = ~has_uid & by_tweet.notna()
    has_handle = ~has_uid & ~has_tweet & handle.notna()
    inside = (has_uid & rt["retweet_userid"].isin(ids)) | has_tweet | (has_handle & by_name.notna())
    target = np.select([inside, has_uid | has_handle], ["inside", "outside"], default="unknown")
    # as objects: a lookup that found nothing is typed float, and a string cannot go there
    target_userid = rt["retweet_userid"].astype(object).where(
        has_uid, by_tweet.astype(object).where(has_tweet, by_name.astype(object)))
    screen = target_userid.map(name_of).fillna(handle.where(has_handle))
    return target.tolist(), target_userid.tolist(), screen.tolist()


@_PROPERTY
@given(tweet_frames())
# a retweet whose author is known by handle only, in a release without authors by tweet id
@example(make_tweets([{"tweetid": "1000", "userid": None, "is_retweet": True,
                       "retweet_tweetid": "5", "tweet_text": "RT @Name: hi"}]))
def test_retweet_targets_match_string_lookups(tweets):
    release = FakeRelease(tweets=tweets, users=make_users(
        [{"userid": "u1", "user_screen_name": "Name"}, {"userid": "zz"}]))
    got = content.retweet_targets(release)
    target, target_userid, screen = _reference_targets(release)
    assert got["target"].tolist() == target
    norm = lambda values: ["<NA>" if pd.isna(v) else v for v in values]  # noqa: E731
    assert norm(got["target_userid"]) == norm(target_userid)
    assert norm(got["target_screen_name"]) == norm(screen)


@_PROPERTY
@given(tweet_frames())
# an original with no count at all has no total either (not a total of 0), one with a
# single count has that count as its total
@example(make_tweets([{"is_retweet": False}, {"is_retweet": False, "like_count": 0},
                      {"is_retweet": False, "quote_count": 7, "like_count": 2}]))
def test_engagement_summary_matches_masked_arithmetic(tweets):
    originals = tweets.loc[~activity.retweet_mask(tweets)]
    counts = pd.DataFrame({c: originals[c].astype("Float64") for c in content.ENGAGEMENT_COLUMNS})
    counts["total"] = counts.sum(axis=1, min_count=1)
    want = pd.DataFrame({
        "originals": counts.notna().sum(), "sum": counts.sum(), "mean": counts.mean(),
        "median": counts.median(), "p90": counts.quantile(0.9), "max": counts.max(),
        "zero_share": (counts == 0).sum() / counts.notna().sum().replace(0, np.nan),
    }).astype("float64").astype({"originals": "int64"}).rename_axis("metric")
    got = content.engagement_summary(tweets)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs["retweets_excluded"] == len(tweets) - len(originals)


def test_wildcard_terms_stay_fast_in_re2():
    # "provocation*" next to a word boundary made RE2's automaton blow up (seconds
    # per 50,000 texts); the boundary is dropped on the wildcard side
    terms = ("provocation*", "*عدوان*", "NATO")
    assert r"[\p{L}\p{N}_]*" not in content._re2(terms)
    texts = pd.Series(["provocations!", "بالعدوان", "NATOs", "no provocation", "xprovocation"],
                      dtype="string[pyarrow]")
    assert content.match_lexicon(texts, list(terms)).tolist() == [True, True, False, True, False]


# ----------------------------------------------------------------- URL functions on RE2

from hypothesis import given as _given  # noqa: E402
from hypothesis import settings as _settings  # noqa: E402
from hypothesis import strategies as _st  # noqa: E402

from casebook.schema import STRING as _STRING  # noqa: E402
from tests.coordination._tweets import NEAR_WS, WS  # noqa: E402

_URL_PARTS = ["https://", "http://", "//", "javascript:", "mailto:", "ftp://", "HTTP://",
              "a1:", "x:8080", ":", "@", "user@", "/", "?", "#", ".", "..", "www.",
              "Example.COM", "bbc.co.uk", "xn--pple-43d.com", "аpple.com", "٣", "1", "ß",
              "İ", '"', "'", "(", "=", "\\", "`", "|", "^", "*", *WS, *NEAR_WS]


def _python_reference(urls: pd.Series) -> tuple[list, list]:
    """registered_domains and url_schemes as they were written with Python's ``re``."""
    text = urls.astype(_STRING).str.strip()
    scheme = text.str.extract(content._SCHEME, expand=False).str.lower().astype(_STRING)
    host = (text.str.extract(content._HOST, expand=False).str.lower().str.rstrip(".")
            .mask(scheme.notna() & ~scheme.isin(content.WEB_SCHEMES)))
    host = host.mask(text.str.extract(content._HOST, expand=False) == "")
    extract = content._extractor(False)
    mapping = {h: content._domain_key(extract, h) for h in host.dropna().unique()}
    return host.map(mapping).astype(_STRING).tolist(), scheme.tolist()


@_settings(max_examples=200, deadline=None)
@_given(urls=_st.lists(_st.one_of(_st.none(), _st.lists(_st.sampled_from(_URL_PARTS), max_size=6)
                                  .map("".join), _st.text(max_size=12)), max_size=12))
def test_re2_url_patterns_equal_python_re(urls: list) -> None:
    # registered_domains and url_schemes run RE2 (no look-ahead, ASCII \s and \d) on each
    # distinct URL once: what Python's re gave on every URL
    series = pd.Series(urls, dtype=object, index=np.arange(len(urls)) * 2)
    domains, schemes = _python_reference(series)
    got = content.registered_domains(series)
    assert got.tolist() == domains and got.index.equals(series.index)
    assert content.url_schemes(series).tolist() == schemes


# ----------------------------------------------------------------- URLs parsed once


def _chunked(frame: pd.DataFrame, parts: int = 3) -> pd.DataFrame:
    """``frame`` with every Arrow column split into ``parts`` chunks, as a loaded
    release is (one chunk per parsed block)."""
    import pyarrow as pa

    out = frame.copy()
    for name in frame.columns:
        data = activity._arrow_data(frame[name])
        if data is not None and len(frame) >= parts:
            whole = data.combine_chunks()
            bounds = np.linspace(0, len(whole), parts + 1).astype(int)
            chunks = [whole.slice(a, b - a) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
            out[name] = pd.Series(pd.array(pa.chunked_array(chunks, type=whole.type),
                                           dtype=frame[name].dtype), index=frame.index)
    return out


def _top_domains_reference(tweets: pd.DataFrame) -> pd.DataFrame:
    """top_domains as it was written: one row per URL, a domain per URL, pandas counts."""
    flat = (content.explode_list(tweets, "urls", keep=("tweetid", "userid"))
            .loc[lambda d: d["urls"].fillna("").str.strip() != ""])
    scheme = content.url_schemes(flat["urls"])
    other = scheme.notna() & ~scheme.isin(content.WEB_SCHEMES)
    domain = content.registered_domains(flat["urls"])
    flat = flat.assign(domain=domain.mask(other, "(" + scheme + ": URL)").to_numpy())
    flat = flat.dropna(subset=["domain"])
    urls = flat.groupby("domain")["urls"].nunique()
    once = flat.drop_duplicates(["tweetid", "domain"])
    out = pd.DataFrame({"tweets": once.groupby("domain").size(),
                        "accounts": once.groupby("domain")["userid"].nunique()})
    return out.assign(urls=urls).sort_index()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_top_domains_equals_a_count_per_url(no_network, seed: int) -> None:
    # repeated tweet ids, padded spellings of one URL (distinct URLs, one domain), other
    # schemes, missing and blank URLs, several Arrow chunks: counted on codes of each
    # distinct URL as pandas counts them row by row
    rng = np.random.default_rng(seed)
    pool = ["https://a.example.co.uk/1", " https://a.example.co.uk/1", "https://a.example.co.uk/1 ",
            "HTTP://WWW.Example.com./x", "https://example.com/y", "javascript:void(0)",
            "JavaScript:alert(1)", "mailto:x@y.org", "//cdn.example/x", "", "  ", "bad url",
            "https://u@blog.example.com:8080/p?q#f", "https://xn--pple-43d.com/a",
            "https://\u0430pple.com/b", "example.org/z/w/v"]
    rows = [{"tweetid": f"t{rng.integers(0, 40)}", "userid": f"u{rng.integers(0, 6)}",
             "urls": list(rng.choice(pool, rng.integers(0, 4)))} for _ in range(120)]
    tweets = _chunked(make_tweets(rows))
    got = content.top_domains(tweets, n=None)
    expected = _top_domains_reference(tweets)
    assert got["domain"].is_unique
    indexed = got.set_index("domain")
    assert indexed[["tweets", "accounts", "urls"]].sort_index().astype("int64").to_dict() \
        == expected.astype("int64").to_dict()
    assert got["share"].tolist() == pytest.approx((got["tweets"] / len(tweets)).tolist())
    order = got.sort_values(["tweets", "domain"], ascending=[False, True], kind="stable")
    assert got["domain"].tolist() == order["domain"].tolist()


def test_urls_of_a_release_are_parsed_once_for_content_and_co_domain(no_network, monkeypatch):
    from casebook.coordination.kinds import _domains_among

    built = []
    original = content._Urls.__init__

    def counting(self, urls):
        built.append(len(urls))
        original(self, urls)

    monkeypatch.setattr(content._Urls, "__init__", counting)
    tweets = make_tweets([{"userid": "a", "urls": ["https://x.example.com/1", "mailto:a@b.c"]},
                          {"userid": "b", "urls": ["https://example.com/2", ""]}])
    content.top_domains(tweets)
    content.top_domains(tweets, n=1)
    import pyarrow as pa

    wanted = pa.array(["https://example.com/2", "mailto:a@b.c"], pa.large_string())
    assert _domains_among(wanted, tweets["urls"]).to_pylist() == ["example.com", ""]
    assert built == [4]  # one table for the release, shared by both


# --------------------------------------------------------------------------- sort, not hash
# The per-row dedup of top_domains / top_hashtags, the distinct counts per group and the
# repeated-tweetid check sort integers instead of hashing millions of distinct ones
# (a hash table slows down per value as it outgrows the caches).


@pytest.mark.parametrize("seed", [0, 1])
def test_first_occurrences_equal_pandas_duplicated(seed: int) -> None:
    rng = np.random.default_rng(seed)
    one = rng.integers(0, 50, 400)
    assert activity._first_occurrences(one).tolist() == (~pd.Series(one).duplicated()).tolist()
    rows = np.sort(rng.integers(0, 60, 400))  # an exploded column: parent rows ascending
    pair = rows * 7 + rng.integers(0, 7, 400)
    assert activity._first_occurrences(pair).tolist() == (~pd.Series(pair).duplicated()).tolist()
    ids = rng.choice(np.array([3, 10**18, content._NO_ID], dtype=np.uint64), 300)
    tag = rng.integers(-1, 3, 300)
    want = ~pd.DataFrame({"a": ids, "b": tag}).duplicated()
    assert activity._first_occurrences(ids, tag).tolist() == want.tolist()
    assert activity._first_occurrences(np.zeros(0, np.int64)).tolist() == []


@pytest.mark.parametrize("n_keys", [5, 5_000_000])  # a presence table, then a sort
def test_distinct_per_group_equal_a_groupby_nunique(n_keys: int) -> None:
    rng = np.random.default_rng(n_keys)
    groups = rng.integers(-1, 4, 500)
    keys = rng.choice(np.append(rng.integers(0, n_keys, 40), -1), 500)
    frame = pd.DataFrame({"g": groups, "k": keys})
    frame = frame[(frame["g"] >= 0) & (frame["k"] >= 0)]
    want = frame.groupby("g")["k"].nunique().reindex(range(6), fill_value=0)
    got = activity._distinct_per_group(groups, keys, 6)
    assert got.tolist() == want.tolist()
    assert activity._distinct_per_group(groups, np.full(500, -1), 6).tolist() == [0] * 6


def test_tweet_keys_tell_whether_a_tweetid_repeats() -> None:
    def repeated(ids):
        return content._tweet_keys(pd.DataFrame({"tweetid": pd.Series(
            ids, dtype="string[pyarrow]")}))[1]
    assert repeated(["30", "10", "20", "10"])  # not side by side
    assert not repeated(["30", "10", "20", "11"])
    assert repeated(["b", "a", "c", "b"])  # not plain numbers: codes
    assert repeated(["1", None, "2", None])  # two missing ids are one key
    assert not repeated(["1", None, "2"])


def test_top_domains_and_hashtags_count_a_tweet_once_per_key() -> None:
    # distinct tweetids (no tweetid repeats): each (row, key) pair once, wherever it
    # recurs in the row; the same URL in two tweets counts for each tweet
    tweets = make_tweets([
        {"tweetid": "1", "userid": "a", "hashtags": ["#x", "#y", "#X"],
         "urls": ["https://a.com/1", "https://b.com/1", "https://a.com/2"]},
        {"tweetid": "2", "userid": "b", "hashtags": ["#y"], "urls": ["https://a.com/1"]},
        {"tweetid": "3", "userid": "a", "hashtags": [], "urls": ["https://b.com/2"]},
    ])
    got = content.top_domains(tweets, n=None).set_index("domain")
    assert got.loc["a.com", ["tweets", "accounts", "urls"]].tolist() == [2, 2, 2]
    assert got.loc["b.com", ["tweets", "accounts", "urls"]].tolist() == [2, 1, 2]
    tags = content.top_hashtags(tweets, n=None).set_index("hashtag")
    assert tags["tweets"].to_dict() == {"x": 1, "y": 2}
