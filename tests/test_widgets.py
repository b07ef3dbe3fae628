"""The explorer, driven through its methods and its widgets (no browser needed)."""

from __future__ import annotations

import pandas as pd
import pytest

from casebook import widgets
from casebook.coordination import coordination_network
from casebook.widgets import ALL_LANGUAGES, Explorer, account_labels, static_summary

from ._frames import FakeRelease, load_real_excerpt, make_tweets, make_users

BIG = "1234567890"  # unhashed: a numeric id and a real screen name
HA = "aG9zdGlsZUFjY291bnRBIGhhc2hlZA+/=AAAAAAAAAAAA="
HB = "YmVuaWduQWNjb3VudEIgaGFzaGVkIGlk+/=BBBBBBBBBBB="
HC = "Y2FsbUFjY291bnRDIGhhc2hlZCBpZCBj+/=CCCCCCCCCCC="
IDLE = "SWRsZUFjY291bnQgd2l0aG91dCB0d2VldHM+/=DDDDDDD="
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def _rows() -> list[dict]:
    rows: list[dict] = []
    # BIG: 30 tweets over Sep-Oct 2020, alternating en/es, #Libre on every third
    for i in range(30):
        day = pd.Timestamp("2020-09-01 08:00", tz="UTC") + pd.Timedelta(days=2 * i)
        rows.append({
            "tweetid": f"9{i:03d}", "userid": BIG, "user_screen_name": "StateTV_es",
            "tweet_time": day, "tweet_language": "es" if i % 2 else "en",
            "tweet_text": f"boletín {i} #Libre" if i % 3 == 0 else f"noticias {i} #Libre10",
            "hashtags": ["Libre"] if i % 3 == 0 else ["Libre10"],
            "tweet_client_name": "Twitter Web App", "like_count": i, "retweet_count": 0,
        })
    rows[0]["tweet_text"] = f"{HOSTILE} see http://evil.example.com/x"
    rows[0]["urls"] = ["http://evil.example.com/x"]
    rows[0]["like_count"] = 1000
    # HA and HB retweet the same five tweets within the same minute: co_retweet edges
    for j in range(5):
        t = pd.Timestamp("2020-09-10 12:00", tz="UTC") + pd.Timedelta(hours=j)
        for uid, lag in ((HA, 0), (HB, 1)):
            rows.append({
                "tweetid": f"{'7' if uid == HA else '8'}{j:03d}", "userid": uid,
                "user_screen_name": uid, "tweet_time": t + pd.Timedelta(minutes=lag),
                "tweet_language": "fa", "tweet_text": f"RT @x: پیام {j}",
                "is_retweet": True, "retweet_tweetid": f"5{j:03d}",
                "tweet_client_name": "Twitter for Android",
            })
    # HA also shares two retweets with HC (weight 2), HC retweets alone once
    for j in range(2):
        t = pd.Timestamp("2020-10-01 06:00", tz="UTC") + pd.Timedelta(hours=j)
        for uid in (HA, HC):
            rows.append({
                "tweetid": f"{'6' if uid == HA else '4'}{j:03d}", "userid": uid,
                "user_screen_name": uid, "tweet_time": t, "tweet_language": "fa",
                "tweet_text": f"RT @y: خبر {j}", "is_retweet": True,
                "retweet_tweetid": f"3{j:03d}", "tweet_client_name": "Twitter for Android",
            })
    rows.append({"tweetid": "4999", "userid": HC, "user_screen_name": HC,
                 "tweet_time": pd.Timestamp("2020-11-01 06:00", tz="UTC"),
                 "tweet_text": "RT @z: alone", "is_retweet": True, "retweet_tweetid": "2999"})
    return rows


@pytest.fixture
def release() -> FakeRelease:
    tweets = make_tweets(_rows())
    users = make_users([
        {"userid": BIG, "user_screen_name": "StateTV_es", "user_display_name": "State TV",
         "follower_count": 161000, "following_count": 20,
         "account_creation_date": "2010-05-01", "account_language": "es",
         "user_profile_description": HOSTILE, "tweet_count": 30},
        *({"userid": u, "user_screen_name": u, "user_display_name": u, "follower_count": 40,
           "account_creation_date": "2020-01-02"} for u in (HA, HB, HC, IDLE)),
    ])
    return FakeRelease(tweets=tweets, users=users, name="fake_202012")


@pytest.fixture
def explorer(release: FakeRelease) -> Explorer:
    return Explorer(release, min_weight=1, page_size=5)


def test_picker_lists_accounts_by_volume_with_labels(explorer: Explorer) -> None:
    acc = explorer.accounts
    assert acc["userid"].tolist() == [BIG, HA, HB, HC, IDLE]
    assert acc["tweets"].tolist() == [30, 7, 5, 3, 0]
    assert acc["label"].iloc[0] == "@StateTV_es"
    assert acc["label"].iloc[1] == "#" + HA[:8] + "…"
    assert [v for _, v in explorer.picker.options] == acc["userid"].tolist()
    assert explorer.picker.options[0][0] == "@StateTV_es · 30 tweets"
    # the first account is shown at start
    assert explorer.userid == BIG and explorer.picker.value == BIG


def test_account_labels_fall_back_to_the_id() -> None:
    labels = account_labels(pd.Series(["42", "42"]), pd.Series([None, "name"]))
    assert labels.tolist() == ["#42…", "@name"]


def test_filter_accounts_narrows_the_picker_and_keeps_the_selection(explorer: Explorer) -> None:
    assert explorer.filter_accounts("statetv") == [BIG]
    assert explorer.picker.value == BIG
    assert explorer.filter_accounts(HB[:10]) == [HB]
    assert explorer.picker.value is None  # BIG is filtered out, still shown
    explorer.filter_accounts("")
    assert len(explorer.picker.options) == 5
    # typing in the filter box runs the same method; display names are searched too
    explorer.account_filter.value = "state tv"
    assert [v for _, v in explorer.picker.options] == [BIG]
    assert explorer.filter_accounts("no such account") == []


def test_select_account_changes_table_timeline_and_neighbours(explorer: Explorer) -> None:
    big_table, big_png = explorer.table_html, explorer.timeline.value
    assert explorer.n_rows == 30 and explorer.neighbours.empty
    explorer.select_account(HA)
    assert explorer.n_rows == 7
    assert set(explorer.rows["userid"]) == {HA}
    assert explorer.table_html != big_table and explorer.timeline.value != big_png
    assert bytes(explorer.timeline.value).startswith(b"\x89PNG")
    assert explorer.neighbours["userid"].tolist() == [HB, HC]
    assert explorer.neighbours["weight"].tolist() == [5, 2]
    assert explorer.languages == ["fa"]
    with pytest.raises(KeyError):
        explorer.select_account("no-such-account")


def test_rows_are_in_time_order(explorer: Explorer) -> None:
    times = explorer.rows["tweet_time"]
    assert times.is_monotonic_increasing
    assert len(explorer.page_rows) == 5
    assert explorer.page_rows["tweetid"].tolist() == explorer.rows["tweetid"].head(5).tolist()


def test_date_range_filters_both_ends_inclusive(explorer: Explorer, release) -> None:
    explorer.set_date_range("2020-09-05", "2020-09-11")
    big = release.tweets.loc[release.tweets["userid"] == BIG, "tweet_time"]
    expected = big.between(pd.Timestamp("2020-09-05", tz="UTC"),
                           pd.Timestamp("2020-09-12", tz="UTC"), inclusive="left").sum()
    assert explorer.n_rows == expected == 4
    lo, hi = explorer.date_slider.label
    assert (lo, hi) == ("2020-09-05", "2020-09-11")
    explorer.set_date_range("2020-10-20", None)  # open ends
    assert explorer.n_rows == 5 and explorer.date_label.value == "2020-10-20 to … (UTC)"
    explorer.set_date_range(None, pd.Timestamp("2020-09-02 23:00", tz="Asia/Tehran"))
    assert explorer.n_rows == 1  # 23:00 in Tehran is still 2 September in UTC
    explorer.set_date_range(None, None)
    assert explorer.n_rows == 30 and explorer.date_label.value == "all dates"
    assert explorer.date_slider.index == (0, len(explorer.date_slider.options) - 1)


def test_date_slider_drives_the_filter(explorer: Explorer) -> None:
    labels = [label for label, _ in explorer.date_slider.options]
    assert labels[0] == "2020-09-01" and labels[-1] == "2020-10-29"
    explorer.date_slider.index = (0, labels.index("2020-09-03"))
    assert explorer.n_rows == 2
    assert explorer.date_range == (pd.Timestamp("2020-09-01", tz="UTC"),
                                   pd.Timestamp("2020-09-03", tz="UTC"))


def test_language_and_query_filters(explorer: Explorer) -> None:
    assert explorer.languages == ["en", "es"]
    explorer.set_language("es")
    assert explorer.n_rows == 15
    assert set(explorer.rows["tweet_language"]) == {"es"}
    explorer.set_query("#libre")  # a hashtag matches whole tags only: not #Libre10
    assert explorer.n_rows == 5
    assert all("Libre" in tags for tags in explorer.rows["hashtags"])
    explorer.set_language(ALL_LANGUAGES)
    assert explorer.n_rows == 10
    explorer.set_query("NOTICIAS 2")  # a keyword: any case, substring of the text
    assert sorted(explorer.rows["tweetid"]) == ["9002", "9020", "9022", "9023", "9025",
                                                "9026", "9028", "9029"]
    with pytest.raises(ValueError):
        explorer.set_language("xx")
    # the widgets call the same methods
    explorer.query_box.value = ""
    explorer.language_menu.value = "en"
    assert explorer.n_rows == 15 and explorer.query == ""


def test_a_query_kept_across_accounts_searches_each_accounts_own_tweets(
        explorer: Explorer, release: FakeRelease) -> None:
    # the search reads the lower-cased texts of the account shown (kept for the last
    # account searched): switching accounts with the query set must search the new one
    tweets = release.tweets
    explorer.set_query("خبر")
    for uid, expected in ((HA, 2), (HB, 0), (HC, 2), (HA, 2), (BIG, 0)):
        explorer.select_account(uid)
        own = tweets[tweets["userid"] == uid]
        hits = own[own["tweet_text"].str.lower().str.contains("خبر", regex=False)]
        assert explorer.n_rows == expected == len(hits)
        assert sorted(explorer.rows["tweetid"]) == sorted(hits["tweetid"])
    explorer.set_query("RT @")  # any case: "rt @" in every retweet's text
    assert explorer.n_rows == 0  # BIG posts no retweet
    explorer.select_account(HC)
    assert explorer.n_rows == 3


def test_pagination(explorer: Explorer) -> None:
    first = explorer.page_rows["tweetid"].tolist()
    explorer.next_button.click()
    assert explorer.page == 1
    assert explorer.page_rows["tweetid"].tolist() == explorer.rows["tweetid"].iloc[5:10].tolist()
    assert "tweets 6–10 of 30" in explorer.status.value
    explorer.set_page(99)
    assert explorer.page == 5 and explorer.next_button.disabled
    explorer.set_page(-3)
    assert explorer.page_rows["tweetid"].tolist() == first and explorer.prev_button.disabled
    explorer.set_query("boletín")  # a new filter goes back to the first page
    explorer.set_page(1)
    explorer.set_query("noticias")
    assert explorer.page == 0


def test_hostile_text_is_escaped_and_links_defanged(explorer: Explorer) -> None:
    html = explorer.table_html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "onerror=&quot;" in html
    assert "hxxp://evil[.]example[.]com/x" in html and "http://evil" not in html
    card = explorer.profile.value
    assert "<script" not in card and "&lt;img src=x onerror" in card
    assert "State TV" in card and "161,000" in card and "not hashed" in card


def test_neighbours_from_a_given_network(release: FakeRelease) -> None:
    network = pd.DataFrame({"source": [HA, HB, HC, HA], "target": [HB, HA, HA, HC],
                            "weight": [3, 4, 9, 1], "kind": ["co_retweet"] * 3 + ["co_tweet"]})
    ex = Explorer(release, network=network)
    ex.select_account(HA)
    got = ex.neighbours.set_index("userid")
    assert ex.neighbours["userid"].tolist() == [HC, HB]  # heaviest first
    assert got.loc[HB, ["out_weight", "in_weight", "weight"]].tolist() == [3, 4, 4]
    assert got.loc[HC, "kinds"] == "co_retweet, co_tweet"
    assert [b.description.split(" ·")[0] for b in ex.neighbour_box.children] == [
        "#" + HC[:8] + "…", "#" + HB[:8] + "…"]
    # evidence for every kind of the pair, in the heavier direction (HC -> HA)
    ev = ex.show_neighbour(HC)
    assert set(ev["kind"]) == {"co_retweet"} and len(ev) == 2
    assert set(ev["source"]) == {HC} and set(ev["target"]) == {HA}


def test_on_demand_neighbours_match_the_coordination_network(release, explorer) -> None:
    edges = coordination_network(release.tweets, kind="co_retweet", window="1min")
    for uid in (HA, HB, HC):
        explorer.select_account(uid)
        touching = edges[(edges["source"] == uid) | (edges["target"] == uid)]
        others = set(touching["source"]) | set(touching["target"])
        assert set(explorer.neighbours["userid"]) == others - {uid}


def test_on_demand_neighbours_of_another_kind(release: FakeRelease) -> None:
    ex = Explorer(release, kind="co_post", min_weight=1)
    ex.select_account(HA)
    assert ex.neighbours["userid"].tolist() == [HB, HC]
    assert set(ex.neighbours["kind"]) == {"co_post"}
    assert len(ex.show_neighbour(HC)) == 2


def test_neighbour_click_shows_evidence_and_opens_the_neighbour(explorer: Explorer) -> None:
    explorer.select_account(HA)
    assert explorer.open_button.disabled
    explorer.neighbour_box.children[0].click()  # HB
    ev = explorer.evidence
    assert explorer.evidence_userid == HB and len(ev) == 5
    assert set(ev["source"]) | set(ev["target"]) == {HA, HB}
    assert (ev["dt_seconds"].abs() <= 60).all()
    assert "پیام" in explorer.evidence_html.value
    assert not explorer.open_button.disabled and HB[:8] in explorer.open_button.description
    explorer.open_button.click()
    assert explorer.userid == HB and explorer.picker.value == HB
    assert explorer.neighbours["userid"].tolist() == [HA]
    assert explorer.evidence.empty and explorer.open_button.disabled
    with pytest.raises(KeyError):
        explorer.show_neighbour(HC)  # not a neighbour of HB


def test_open_neighbour_clears_a_filter_that_hides_it(explorer: Explorer) -> None:
    explorer.filter_accounts("StateTV")
    explorer.open_neighbour(HC)
    assert explorer.picker.value == HC and explorer.account_filter.value == ""


def test_picker_selection_drives_the_explorer(explorer: Explorer) -> None:
    explorer.picker.value = HC
    assert explorer.userid == HC and explorer.n_rows == 3
    explorer.set_date_range("2020-10-01", None)
    explorer.picker.value = HA  # a new account resets the date range
    assert explorer.date_range is None and explorer.n_rows == 7


def test_account_without_tweets(explorer: Explorer) -> None:
    explorer.select_account(IDLE)
    assert explorer.n_rows == 0 and explorer.neighbours.empty
    assert explorer.date_slider.disabled
    assert "No tweets match" in explorer.table_html


def test_control_share_calibrates_neighbours(release: FakeRelease) -> None:
    rows = []
    for j in range(4):  # two ordinary accounts that retweet the same thing each time
        for uid in ("c1", "c2"):
            rows.append({"tweetid": f"{uid}{j}", "userid": uid, "is_retweet": True,
                         "retweet_tweetid": f"8{j}", "tweet_text": "RT",
                         "tweet_time": pd.Timestamp("2020-01-01", tz="UTC")
                         + pd.Timedelta(days=j)})
    rows.append({"tweetid": "c30", "userid": "c3", "tweet_text": "hi",
                 "tweet_time": pd.Timestamp("2020-01-01", tz="UTC")})
    control = FakeRelease(tweets=make_tweets(rows), users=make_users([]))
    ex = Explorer(release, control=control, min_weight=1)
    ex.select_account(HA)
    share = ex.neighbours.set_index("userid")["control_share"]
    # weight 5 (HB): no control account reaches it; weight 2 (HC): 2 of 3 do
    assert share[HB] == 0 and share[HC] == pytest.approx(2 / 3)
    assert "control 67%" in ex.neighbour_box.children[1].description


def test_explore_returns_the_app(release: FakeRelease) -> None:
    app = widgets.explore(release, page_size=3)
    assert app.explorer.page_size == 3 and app.explorer.userid == BIG
    assert "casebook-explorer" in app._dom_classes


def test_real_excerpt_every_account_opens() -> None:
    rel = load_real_excerpt()
    ex = Explorer(rel, page_size=10)
    for uid in ex.accounts["userid"].head(8):
        ex.select_account(uid)
        assert ex.n_rows == int(ex.accounts.set_index("userid").loc[uid, "tweets"])
    assert (ex.accounts["tweets"].diff().dropna() <= 0).all()


def test_tweets_html_types_labels_and_empty() -> None:
    rows = make_tweets([
        {"userid": HA, "tweet_time": "2020-01-01 10:00", "tweet_text": "a reply",
         "in_reply_to_tweetid": "1"},
        {"userid": HA, "tweet_time": "2020-01-01 10:01", "tweet_text": "a quote",
         "quoted_tweet_tweetid": "2", "urls": ["https://x.example.org/a?b=<c>"]},
        {"userid": HB, "tweet_time": "2020-01-01 10:02", "tweet_text": "RT @x: y",
         "is_retweet": True, "hashtags": ["One", "Two"]},
    ])
    labels = pd.Series({HA: "<b>A</b>", HB: "B"})
    html = widgets.tweets_html(rows, labels=labels)
    cells = [row.split("</td><td>") for row in html.split("<tr><td>")[1:]]
    assert [c[2] for c in cells] == ["reply", "quote", "retweet"]
    assert [c[1] for c in cells] == ["&lt;b&gt;A&lt;/b&gt;", "&lt;b&gt;A&lt;/b&gt;", "B"]
    assert "hxxps://x[.]example[.]org/a?b=&lt;c&gt;" in html and "#One #Two" in html
    assert widgets.tweets_html(rows, max_rows=1).count("<tr>") == 2
    assert "No tweets match" in widgets.tweets_html(rows.iloc[:0])


# --------------------------------------------------------------------------- static


def test_static_summary_is_deterministic_escaped_and_lists_neighbours(release) -> None:
    network = coordination_network(release.tweets, kind="co_retweet")
    first = static_summary(release, network=network, max_accounts=3).data
    assert first == static_summary(release, network=network, max_accounts=3).data
    assert "<script" not in first and "&lt;script&gt;" in first
    assert first.index("@StateTV_es") < first.index("#" + HA[:8]) < first.index("#" + HB[:8])
    assert "#" + HC[:8] + "…</bdi>: " not in first  # only the top 3 accounts get a section
    assert f"#{HB[:8]}…</bdi> (co_retweet, weight 5)" in first
    assert "neighbours: none" in first  # StateTV has none
    assert first.count("<tr>") == 3 * 3 + 3  # three tweets per account, plus headers
    # without a network, co_retweet neighbours are computed as the app does
    computed = static_summary(release, max_accounts=3, min_weight=1).data
    assert f"#{HB[:8]}…</bdi> (co_retweet, weight 5)" in computed
    assert "weight 2" in computed  # HA's second neighbour, HC
    assert "weight 2" not in static_summary(release, max_accounts=3, min_weight=3).data


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch):
    for var in (widgets.STATIC_ENV, "JPY_SESSION_NAME", "JPY_PARENT_PID"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def _fake_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython

    shell = type("Shell", (), {"kernel": object()})()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)


def test_static_mode_rules(no_kernel: pytest.MonkeyPatch) -> None:
    assert widgets.static_mode()  # plain Python: no kernel
    _fake_kernel(no_kernel)
    assert widgets.static_mode()  # a kernel, but not one a Jupyter server started
    no_kernel.setenv("JPY_SESSION_NAME", "/tmp/case.ipynb")
    lab = ["/venv/bin/python", "-m", "jupyterlab", "--ServerApp.root_dir=/tmp/pytest-of-x/lab"]
    no_kernel.setattr(widgets, "_launcher_cmdline", lambda: lab)
    assert not widgets.static_mode()  # live JupyterLab (a 'pytest' in a path is no launcher)
    for launcher in (["/venv/bin/python", "/venv/bin/papermill", "in.ipynb", "out.ipynb"],
                     ["python3", "-u", "-m", "pytest", "notebooks"],
                     ["/venv/bin/pytest", "--nbval-lax", "notebooks/"],
                     ["/venv/bin/jupyter", "nbconvert", "--execute", "x.ipynb"],
                     ["/venv/bin/python", "/venv/bin/casebook", "run", "iran"]):
        no_kernel.setattr(widgets, "_launcher_cmdline", lambda a=launcher: a)
        assert widgets.static_mode(), launcher
    no_kernel.setenv(widgets.STATIC_ENV, "0")
    assert not widgets.static_mode()  # forced interactive
    no_kernel.setenv(widgets.STATIC_ENV, "1")
    no_kernel.setattr(widgets, "_launcher_cmdline", lambda: lab)
    assert widgets.static_mode()  # forced static even in JupyterLab


def test_launcher_cmdline_reads_the_parent(no_kernel: pytest.MonkeyPatch) -> None:
    import os

    no_kernel.setenv("JPY_PARENT_PID", str(os.getpid()))
    assert widgets._program(widgets._launcher_cmdline()) == "pytest"
    no_kernel.setenv("JPY_PARENT_PID", "not-a-pid")
    assert widgets._launcher_cmdline() == []
    assert widgets._program([]) == ""


def test_explore_or_summary_chooses(release, no_kernel: pytest.MonkeyPatch) -> None:
    from IPython.display import HTML

    no_kernel.setenv(widgets.STATIC_ENV, "1")
    assert isinstance(widgets.explore_or_summary(release), HTML)
    app = widgets.explore_or_summary(release, static=False, page_size=4)
    assert app.explorer.page_size == 4


# --------------------------------------------------------------------------- live content

_MATH = r"$\href{//evil.example/x}{evidence}$"


def test_account_labels_show_bidi_controls() -> None:
    labels = account_labels(pd.Series(["1", "2"]), pd.Series(["levantwire\u202enews", _MATH]))
    assert labels.tolist() == ["@levantwire<U+202E>news", "@" + _MATH]


def test_every_html_the_explorer_shows_is_marked_for_mathjax(release: FakeRelease) -> None:
    summary = static_summary(release, max_accounts=2).data
    assert summary.startswith('<div class="casebook-output tex2jax_ignore mathjax_ignore">')
    assert "<bdi>@StateTV_es</bdi>" in summary  # a right-to-left name cannot reorder counts
    explorer = Explorer(release, min_weight=1)
    assert {"tex2jax_ignore", "mathjax_ignore"} <= set(explorer.widget._dom_classes)
    for value in (explorer.profile.value, explorer.table_html):
        assert value.startswith('<div class="casebook-output tex2jax_ignore mathjax_ignore">')


def test_hostile_names_in_the_explorer(release: FakeRelease) -> None:
    # categoricals, as the loader gives them (schema.CATEGORY_COLUMNS)
    tweets = release.tweets.assign(
        user_screen_name=release.tweets["user_screen_name"].astype("string").where(
            release.tweets["userid"] != BIG, _MATH + "\u202e").astype("category"),
        tweet_client_name=release.tweets["tweet_client_name"].astype("string").str.cat(
            pd.Series("\u202e", index=release.tweets.index, dtype="string")).astype("category"))
    users = release.users.assign(
        user_display_name="\u2067State\u2069 TV $5",
        user_screen_name=release.users["user_screen_name"].where(
            release.users["userid"] != BIG, _MATH + "\u202e"))
    explorer = Explorer(FakeRelease(tweets=tweets, users=users, name="x"), min_weight=1)
    explorer.select_account(BIG)  # draws the timeline: "$" never starts mathtext
    card = explorer.profile.value
    assert "\u202e" not in card and "\u2067" not in card
    assert "&lt;U+2067&gt;State&lt;U+2069&gt; TV $5" in card and "&lt;U+202E&gt;" in card
    assert explorer.picker.options[0][0].startswith("@" + _MATH + "<U+202E>")


def _most_engaged_reference(tweets: pd.DataFrame, userids: pd.Series, n: int) -> pd.DataFrame:
    """The summary's sample as a plain pandas sort of every chosen row."""
    chosen = tweets.loc[tweets["userid"].isin(userids).fillna(False)]
    engagement = (chosen["like_count"].astype("Float64").fillna(0)
                  + chosen["retweet_count"].astype("Float64").fillna(0))
    return (chosen.assign(_eng=engagement)
            .sort_values(["userid", "_eng", "tweet_time", "tweetid"],
                         ascending=[True, False, True, True], kind="stable")
            .groupby("userid", sort=False).head(n).drop(columns="_eng"))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [0, 1, 3, 50, 5000])
def test_summary_sample_equals_a_full_sort(seed: int, n: int) -> None:
    import numpy as np

    # many ties on engagement and time, missing counts, times and ids: the tweet id
    # string decides, and missing values sort last
    rng = np.random.default_rng(seed)
    size = 3000
    tweets = pd.DataFrame({
        "userid": pd.array(rng.choice(["a", "b", "c", "d", None], size), dtype="string"),
        "like_count": pd.array(rng.choice([0, 1, 2, 30, None], size), dtype="Int64"),
        "retweet_count": pd.array(rng.choice([0, 1, None], size), dtype="Int64"),
        "tweet_time": pd.to_datetime(rng.choice([0, 60, 120], size), unit="s", utc=True)
                        .where(rng.random(size) > 0.1),
        "tweetid": pd.array(rng.choice([f"t{i}" for i in range(90)] + [None], size),
                            dtype="string"),
        "tweet_text": pd.array([f"x{i}" for i in range(size)], dtype="string"),
    })
    top = pd.Series(["c", "a", "zz"])
    got = tweets.take(widgets._most_engaged(tweets, top, n))
    pd.testing.assert_frame_equal(got, _most_engaged_reference(tweets, top, n))


def test_the_explorer_indexes_categorical_columns_on_their_codes(release, monkeypatch) -> None:
    # the loaded account, client and language columns are categoricals: the explorer's
    # index reads their codes and never decodes them per tweet, and it is the index of
    # the same columns as strings
    from casebook import schema

    tweets = release.tweets
    assert isinstance(tweets["userid"].dtype, pd.CategoricalDtype)
    as_strings = Explorer.__new__(Explorer)
    as_strings._index(tweets.astype({c: schema.STRING for c in schema.CATEGORY_COLUMNS}))
    decoded = []
    real = pd.Categorical.astype

    def astype(self, dtype, copy=True):
        if isinstance(pd.api.types.pandas_dtype(dtype), pd.StringDtype):
            decoded.append(len(self))
        return real(self, dtype, copy=copy)

    monkeypatch.setattr(pd.Categorical, "astype", astype)
    coded = Explorer.__new__(Explorer)
    coded._index(tweets)
    assert len(tweets) not in decoded
    assert coded._order.tolist() == as_strings._order.tolist()
    assert coded._bounds == as_strings._bounds
    assert list(coded._client_names) == list(as_strings._client_names)
    assert coded._client.tolist() == as_strings._client.tolist()
    assert list(coded._lang_names) == list(as_strings._lang_names)
