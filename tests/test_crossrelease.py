"""``casebook.crossrelease``: what two releases share, checked against a control cohort."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from casebook import crossrelease, schema, store
from casebook.errors import ParameterError, StoreError
from tests.conftest import archive_bytes, tweet_row

UA1 = "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE="  # hashed
UA2 = "1234"  # unhashed: a real screen name
UB1 = "kq9+Bv0bWZ1uJ3Jm0WJ8aNeU4q8yVb6Lh1S0dC9wYxA="
UB2 = "Q2R5d1pXbjN2Z0Rrb0xQdXRnYkFQa3VxS0JzZz0+aa="
UC1 = "c0ntr0lAccountHashAAAAAAAAAAAAAAAAAAAAAAAAA="
HOSTILE = "<script>alert(1)</script> $x$ \u202eevil"

NATO_A = "NATO is a threat to peace in europe today"
NATO_B = "nato is a threat to peace in europe now"  # 7 of 9 word pairs shared: 0.78
MORNING = "good morning everyone"


def _row(tweetid: str, userid: str, time: str, text: str, *, screen: str | None = None,
         **kw: str) -> list[str]:
    name = screen if screen is not None else userid
    return tweet_row(tweetid=tweetid, userid=userid, user_screen_name=name,
                     user_display_name=name, tweet_time=time, tweet_text=text, **kw)


# Every tweet has a text of its own unless it is meant to be shared.
ALPHA = [
    _row("101", UA1, "2020-01-01 10:00", "apples grow in the valley",
         urls="['https://www.sharedsite.com/a']"),
    _row("102", UA2, "2020-01-02 10:00", "the harbour was quiet",
         urls="['https://dailynews.com/story']", screen="RealName"),
    _row("103", UA1, "2020-01-03 10:00", "a lantern in the window",
         urls="['https://onlyalpha.org/x']"),
    _row("104", UA1, "2020-01-04 10:00", "mountains after the storm", hashtags="['OP2020']"),
    _row("105", UA2, "2020-01-05 10:00", "RT @bigvoice: listen to this", is_retweet="true",
         retweet_userid="555", retweet_tweetid="9001", screen="RealName"),
    _row("106", UA1, "2020-01-06 10:00", NATO_A),
    _row("107", UA2, "2020-01-07 10:00", NATO_A, screen="RealName"),
    _row("108", UA1, "2020-01-08 10:00", MORNING),
    _row("109", UA2, "2020-01-09 10:00", "only alpha ever wrote these words", screen="RealName"),
]
BETA = [
    _row("201", UB1, "2020-02-01 09:00", "bicycles on the bridge",
         urls="['http://sharedsite.com/b']"),
    _row("202", UB2, "2020-02-02 09:00", HOSTILE, urls="['https://sub.sharedsite.com/c']",
         screen=HOSTILE),
    _row("203", UB1, "2020-02-03 09:00", "the kettle is singing",
         urls="['https://www.dailynews.com/other']"),
    _row("204", UB2, "2020-02-04 09:00", "snow on the orchard roofs", hashtags="['op2020']",
         screen=HOSTILE),
    _row("205", UB1, "2020-02-05 09:00", "RT @bigvoice: listen to this", is_retweet="true",
         retweet_userid="555", retweet_tweetid="9002"),
    _row("206", UB2, "2020-02-06 09:00", NATO_B, screen=HOSTILE),
    _row("207", UB2, "2020-02-07 09:00", MORNING, screen=HOSTILE),
    _row("208", UB1, "2020-02-08 09:00", "the bridge again at dusk",
         urls="['https://sharedsite.com/again']"),
]
CONTROL = [
    _row("301", UC1, "2020-03-01 08:00", "my cat ignores me", urls="['https://dailynews.com/']"),
    _row("302", UC1, "2020-03-02 08:00", MORNING),
]
A, B, C = "alpha_202012", "beta_202012", "control"
SHARED = {
    ("domain", "sharedsite.com"): (1, 3, None),  # alpha, beta, control tweets
    ("domain", "dailynews.com"): (1, 1, 1),
    ("hashtag", "op2020"): (1, 1, None),
    ("retweet", "555"): (1, 1, None),
    ("text", "nato is a threat to peace in europe today"): (2, 1, None),
    ("text", MORNING): (1, 1, 1),
}


def write_release(folder: Path, op: str, rows: Sequence[Sequence[str]]) -> Path:
    """A release folder holding one archive tweets file named for ``op``."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"hashed_2020_12_{op}_{op}_tweets_csv_hashed.csv"
    (folder / name).write_bytes(archive_bytes(rows, schema.ARCHIVE_TWEET_COLUMNS))
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("releases")
    write_release(root / A, A, ALPHA)
    write_release(root / B, B, BETA)
    write_release(root / C, "control_202012", CONTROL)
    return root


@pytest.fixture(scope="module")
def built(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store"
    for name in (A, B, C):
        store.add_release(path, data / name, name=name)
    return path


@pytest.fixture(scope="module")
def found(built: Path) -> crossrelease.Comparison:
    return crossrelease.compare_releases(built, control=C)


def _counts(keys: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int, int | None]]:
    return {(r["kind"], r["key"]): (int(r[A]), int(r[B]),
                                    None if pd.isna(r["control_tweets"]) else int(r["control_tweets"]))
            for r in keys.to_dict("records")}


# --------------------------------------------------------------------------- shared keys


def test_shared_keys_and_their_counts_per_release_are_exact(found) -> None:
    assert found.releases == [A, B] and found.control == C
    assert _counts(found.keys) == SHARED
    keys = found.keys.set_index(["kind", "key"])
    assert keys.loc[("domain", "sharedsite.com"), "tweets"] == 4
    assert keys.loc[("domain", "sharedsite.com"), "accounts"] == 3
    assert keys.loc[("text", "nato is a threat to peace in europe today"), "accounts"] == 3
    assert (keys["releases"] == 2).all()
    assert set(keys["release_names"]) == {f"{A}, {B}"}


def test_a_key_of_one_release_is_not_listed(found) -> None:
    listed = set(zip(found.keys["kind"], found.keys["key"], strict=True))
    assert ("domain", "onlyalpha.org") not in listed
    assert not any("only alpha" in key for kind, key in listed if kind == "text")
    assert not any(key in ("apples grow in the valley", "bicycles on the bridge")
                   for _, key in listed)  # different texts are not near duplicates
    assert ("text", "rt listen to this") not in listed  # a retweet's text is its target


def test_a_key_the_control_uses_too_is_not_distinctive(found) -> None:
    words = dict(zip(zip(found.keys["kind"], found.keys["key"], strict=True),
                     found.keys["distinctive"], strict=True))
    assert words == {k: "not distinctive" if c is not None else "distinctive"
                     for k, (_, _, c) in SHARED.items()}
    # distinctive keys come first
    assert list(found.keys["distinctive"]).index("not distinctive") == 4
    assert found.shared("domain", distinctive=False)["key"].tolist() == ["dailynews.com"]
    counts = found.counts().set_index("kind")
    assert counts.loc["text"].tolist() == [2, 1, 1, 0]  # shared, distinctive, not, spam
    assert counts.loc["retweet"].tolist() == [1, 1, 0, 0]


def test_without_a_control_every_key_is_unchecked(built) -> None:
    found = crossrelease.compare_releases(built, releases=[A, B])
    assert set(found.keys["distinctive"]) == {"unchecked"}
    assert found.keys["control_tweets"].isna().all()
    assert found.overlap["strength"].tolist() == ["unchecked"]
    # the control as a compared release: the keys it shares are shared by it
    three = crossrelease.compare_releases(built, min_releases=3)
    assert three.releases == [A, B, C]
    assert list(zip(three.keys["kind"], three.keys["key"], three.keys[C], strict=True)) == [
        ("domain", "dailynews.com", 1), ("text", MORNING, 1)]


def test_labels_show_hashtags_and_the_retweeted_handle(found) -> None:
    labels = dict(zip(found.keys["key"], found.keys["label"], strict=True))
    assert labels["op2020"] == "#op2020"
    assert labels["555"] == "@bigvoice (555)"
    assert labels["sharedsite.com"] == "sharedsite.com"


def test_overlap_rates_a_pair_by_its_most_specific_distinctive_key(found, built) -> None:
    row = found.overlap.iloc[0]
    assert (row["release_a"], row["release_b"]) == (A, B)
    assert [int(row[k]) for k in crossrelease.KINDS] == [2, 1, 1, 2]
    assert [int(row[f"distinctive {k}"]) for k in crossrelease.KINDS] == [1, 1, 1, 1]
    assert row["strength"] == "strong"
    no_text = crossrelease.compare_releases(built, control=C, kinds=["domain", "hashtag", "retweet"])
    assert no_text.overlap["strength"].tolist() == ["moderate"]
    topics = crossrelease.compare_releases(built, control=C, kinds=["domain"])
    assert topics.overlap["strength"].tolist() == ["weak"]
    assert set(topics.keys["kind"]) == {"domain"}
    # a headline count of accounts resting on weak links says what weak means beside it
    value = crossrelease.findings(topics).set_index("finding").loc[
        "Accounts linking releases", "value"]
    assert value.endswith("strongest link: weak (a topic in common, not evidence of the "
                          "same operators)")


# --------------------------------------------------------------------------- accounts and evidence


def test_linking_accounts_are_exact(found) -> None:
    got = found.accounts
    assert list(zip(got["release"], got["userid"], strict=True)) == [
        (A, UA1), (B, UB2), (B, UB1), (A, UA2)]
    rows = got.set_index("userid")
    assert rows.loc[UA1, ["shared_keys", "distinctive_keys", "tweets"]].tolist() == [4, 3, 4]
    assert rows.loc[UA2, ["shared_keys", "distinctive_keys", "tweets"]].tolist() == [3, 2, 3]
    assert rows.loc[UB1, ["shared_keys", "distinctive_keys", "tweets"]].tolist() == [3, 2, 4]
    assert rows.loc[UB2, ["shared_keys", "distinctive_keys", "tweets"]].tolist() == [4, 3, 4]
    assert rows.loc[UA1, "linked_releases"] == B and rows.loc[UB1, "linked_releases"] == A
    assert rows.loc[UA2, "kinds"] == "domain, retweet, text"
    assert rows.loc[UA2, "user_screen_name"] == "RealName"
    assert rows.loc[UB2, "user_screen_name"] == HOSTILE  # raw here; show_table escapes it
    # distinctive tweets first, in time; then the others
    assert rows.loc[UA2, "example_tweetids"] == "105 107 102"
    assert rows.loc[UA1, "first_time"] == pd.Timestamp("2020-01-01 10:00", tz="UTC")
    assert rows.loc[UA1, "last_time"] == pd.Timestamp("2020-01-08 10:00", tz="UTC")


def test_an_account_is_linked_only_by_keys_ordinary_accounts_do_not_use(built) -> None:
    # on domains alone RealName used only dailynews.com, which the control cohort uses too
    rows = crossrelease.compare_releases(built, control=C, kinds=["domain"]).accounts.set_index("userid")
    assert pd.isna(rows.loc[UA2, "linked_releases"]) and rows.loc[UA2, "shared_with"] == B
    assert rows.loc[UA2, "link"] == "none"
    assert rows.loc[UA1, "linked_releases"] == B and rows.loc[UA1, "link"] == "weak"
    unchecked = crossrelease.compare_releases(built, control="", kinds=["domain"]).accounts
    assert unchecked["linked_releases"].tolist() == unchecked["shared_with"].tolist()
    assert unchecked.set_index("userid").loc[UA2, "link"] == "unchecked"


def test_evidence_lists_the_tweets_behind_each_key(found, built) -> None:
    ev = found.evidence
    text = ev.loc[ev["key"] == "nato is a threat to peace in europe today"]
    assert list(zip(text["release"], text["userid"], text["tweetid"], strict=True)) == [
        (A, UA1, "106"), (A, UA2, "107"), (B, UB2, "206")]
    assert text["tweet_text"].tolist() == [NATO_A, NATO_A, NATO_B]
    domain = ev.loc[ev["key"] == "sharedsite.com"]
    assert domain["tweetid"].tolist() == ["101", "201", "202"]
    assert domain["tweet_text"].iloc[2] == HOSTILE
    assert set(ev["release"]) == {A, B}  # the control's tweets are not evidence of a link
    # in the order of the keys table, distinctive first
    order = list(dict.fromkeys(zip(ev["kind"], ev["key"], strict=True)))
    assert order == list(zip(found.keys["kind"], found.keys["key"], strict=True))
    one = crossrelease.compare_releases(built, control=C, examples=1).evidence
    assert one.loc[one["key"] == "sharedsite.com", "tweetid"].tolist() == ["101", "201"]


def test_a_near_duplicate_needs_the_threshold(built) -> None:
    strict = crossrelease.compare_releases(built, control=C, near_threshold=0.9)
    assert ("text", "nato is a threat to peace in europe today") not in set(
        zip(strict.keys["kind"], strict.keys["key"], strict=True))
    assert ("text", MORNING) in set(zip(strict.keys["kind"], strict.keys["key"], strict=True))


def test_without_a_control_no_account_link_is_rated(built) -> None:
    unchecked = crossrelease.compare_releases(built)
    assert set(unchecked.accounts["link"]) == {"unchecked"}
    assert crossrelease.findings(unchecked).set_index("finding").loc[
        "Accounts linking releases", "value"].endswith("; unchecked")


def test_findings_say_how_strong_the_link_is(found) -> None:
    rows = crossrelease.findings(found).set_index("finding")
    assert rows.loc[f"Link {A} and {B}", "value"] == "strong"
    assert rows.loc["Distinctive shared keys", "value"] == "4"
    # every account of alpha and beta used a distinctive key the other release uses too
    assert found.active == {A: 2, B: 2}
    assert rows.loc["Accounts linking releases", "value"] == ("4 of 4 accounts with tweets "
                                                              "(100%); strongest link: strong")
    # each account's link is its most specific distinctive key's, and the row counts them
    links = found.accounts.set_index("userid")["link"]
    detail = rows.loc["Accounts linking releases", "detail"]
    for word in ("strong", "moderate", "weak"):
        assert f"{int((links == word).sum()):,} {word}" in detail
    assert links.value_counts().to_dict() == {"strong": 3, "moderate": 1}  # a retweet alone
    assert "not evidence of the same operators" in detail
    assert "link nothing" in rows.loc["Distinctive shared keys", "detail"]


# --------------------------------------------------------------------------- choosing releases


def test_select_releases_in_a_store_finds_the_control(built) -> None:
    chosen = crossrelease.select_releases(built)
    assert chosen.releases == [A, B] and chosen.control == C and not chosen.built
    assert chosen.summary()["role"].tolist() == ["compared", "compared", "control cohort"]
    assert chosen.summary()["tweets"].tolist() == [9, 8, 2]
    with pytest.raises(ParameterError, match="two releases or more"):
        crossrelease.select_releases(built, releases=[A, "nope"])
    none = crossrelease.select_releases(built, control="")
    assert none.releases == [A, B, C] and none.control is None


def test_a_store_is_built_from_a_data_folder(data, tmp_path) -> None:
    chosen = crossrelease.select_releases("", data_dir=data, control="control")
    assert chosen.built and chosen.releases == [A, B] and chosen.control == "control"
    assert chosen.store.parent.name == "stores"
    again = crossrelease.build_store(data, [A], control=None, store=tmp_path / "s")
    assert again.releases == [A] and again.control is None
    assert list(store.list_store(tmp_path / "s")["release"]) == [A]


def test_bad_arguments_are_refused(built) -> None:
    with pytest.raises(ParameterError, match="min_releases"):
        crossrelease.compare_releases(built, min_releases=1)
    with pytest.raises(ParameterError, match="unknown kind"):
        crossrelease.compare_releases(built, kinds=["url"])
    with pytest.raises(ParameterError, match="near_threshold"):
        crossrelease.compare_releases(built, near_threshold=0)
    with pytest.raises(StoreError, match="no release 'nope'"):
        crossrelease.compare_releases(built, releases=[A, "nope"])


# --------------------------------------------------------------------------- side by side


def test_client_mix_and_time_zones_side_by_side(built) -> None:
    mix = crossrelease.client_mix(built, releases=[A, B])
    assert mix["release"].tolist() == [A, B] and mix["tweets"].tolist() == [9, 8]
    assert mix["official share"].tolist() == [1.0, 1.0]  # every row is Twitter Web App
    assert mix["top client"].tolist() == ["Twitter Web App"] * 2
    zones = crossrelease.time_zones(built, releases=[A, B], seed=0)
    assert zones["release"].tolist() == [A, B]
    assert zones["verdict"].tolist() == ["insufficient data"] * 2  # nine tweets say nothing
    assert zones["control_rhythm"].str.startswith("not compared with ordinary").all()
    # beside the control cohort, on each release's week; the control is not a release here
    beside = crossrelease.time_zones(built, control=C, seed=0)
    assert beside["release"].tolist() == [A, B]
    assert beside["control_rhythm"].str.startswith("too little data to tell").all()


def test_time_zones_resample_the_accounts_as_a_case_does(built, monkeypatch) -> None:
    # the store's time zone read the tweets' times alone: one account to the resampling,
    # so two accounts in two zones named the busier one's, where the case names both
    from casebook import activity

    seen = []
    real = activity.infer_utc_offset

    def spy(tweets, **options):
        seen.append(list(tweets.columns))
        return real(tweets, **options)

    monkeypatch.setattr(activity, "infer_utc_offset", spy)
    crossrelease.time_zones(built, releases=[A], seed=0)
    assert seen and "userid" in seen[0]


def test_plots_return_their_axes(found, built) -> None:
    ax = crossrelease.plot_overlap(found.overlap)
    assert "distinctive" in ax.get_title()
    assert [t.get_text() for t in ax.texts] == ["4", "4"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("release", "release")
    ax = crossrelease.plot_client_mix(crossrelease.client_mix(built))
    assert ax.get_title() == "Tweets by client class, per release"


def test_the_overlap_heatmap_names_every_release_on_both_axes() -> None:
    import itertools

    names = ["GRU_202012", "IRA_202012", "armenia_202012", "iran_202012", "venezuela_202012"]
    pairs = list(itertools.combinations(names, 2))
    overlap = pd.DataFrame({"release_a": [a for a, _ in pairs], "release_b": [b for _, b in pairs]})
    for kind in crossrelease.KINDS:
        overlap[kind] = overlap[f"distinctive {kind}"] = range(len(pairs))
    ax = crossrelease.plot_overlap(overlap)
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert [t.get_text() for t in ax.get_yticklabels() if t.get_text()] == names


def test_releases_with_nothing_in_common(tmp_path) -> None:
    path = tmp_path / "store"
    store.add_release(path, write_release(tmp_path / "one_202012", "one_202012", ALPHA[1:3]))
    store.add_release(path, write_release(tmp_path / "two_202012", "two_202012", BETA[-1:]))
    found = crossrelease.compare_releases(path)
    assert found.keys.empty and found.accounts.empty and found.evidence.empty
    assert list(found.keys.columns[-2:]) == ["one_202012", "two_202012"]
    assert found.overlap[["strength", "why"]].values.tolist() == [["none", "no key in common"]]
    assert found.counts()["shared"].tolist() == [0, 0, 0, 0]
    assert crossrelease.findings(found).set_index("finding").loc[
        "Accounts linking releases", "value"] == "0 of 3 accounts with tweets (0%)"


def test_follow_back_spam_links_nothing(tmp_path) -> None:
    """Two releases that share only follow-back spam (a template text and its hashtags)
    are not linked, control or no control; a text of their own still is."""
    spam = "i followed you, kindly follow back #followback"
    one = [_row("401", UA1, "2020-01-01 10:00", spam, hashtags="['followback']"),
           _row("402", UA2, "2020-01-02 10:00", "Follow4Follow gain followers fast",
                hashtags="['TeamFollowBack', 'f4f']")]
    two = [_row("501", UB1, "2020-02-01 10:00", spam, hashtags="['followback']"),
           _row("502", UB2, "2020-02-02 10:00", "Follow4Follow gain followers fast",
                hashtags="['teamfollowback', 'F4F']")]
    # the other spellings of the same request
    for n, (text, tags) in enumerate([("followed you! follow me back please", "[]"),
                                      ("#FollowTrain all aboard", "['FollowTrain']")]):
        one.append(_row(f"41{n}", UA1, "2020-01-05 10:00", text, hashtags=tags))
        two.append(_row(f"51{n}", UB1, "2020-02-05 10:00", text, hashtags=tags))
    path = tmp_path / "store"
    store.add_release(path, write_release(tmp_path / "one_202012", "one_202012", one))
    store.add_release(path, write_release(tmp_path / "two_202012", "two_202012", two))
    store.add_release(path, write_release(tmp_path / C, "control_202012", CONTROL), name=C)
    for control in (C, None):
        found = crossrelease.compare_releases(path, control=control)
        assert len(found.keys) == 8  # four texts, four hashtags (followtrain too)
        assert set(found.keys["distinctive"]) == {crossrelease.GENERIC}
        pair = found.overlap.set_index(["release_a", "release_b"]).loc[("one_202012", "two_202012")]
        assert pair["strength"] == "none"
        assert (found.accounts["distinctive_keys"] == 0).all()
        assert set(found.accounts["release"]) == {"one_202012", "two_202012"}
        assert found.shared(distinctive=True).empty
        counts = found.counts().set_index("kind")
        assert counts[crossrelease.GENERIC].sum() == 8
    rows = crossrelease.findings(crossrelease.compare_releases(path, control=C)).set_index("finding")
    assert rows.loc["Link one_202012 and two_202012", "value"] == "none"
    assert "8 of follow-back spam" in rows.loc["Distinctive shared keys", "detail"]
    # a text of their own, beside the spam, is still a strong link
    store.add_release(path, write_release(tmp_path / "one_202012", "one_202012",
                                          [*one, _row("403", UA1, "2020-01-03 10:00", NATO_A)]))
    store.add_release(path, write_release(tmp_path / "two_202012", "two_202012",
                                          [*two, _row("503", UB1, "2020-02-03 10:00", NATO_A)]))
    again = crossrelease.compare_releases(path, control=C).overlap.set_index(
        ["release_a", "release_b"])
    assert again.loc[("one_202012", "two_202012"), "strength"] == "strong"
