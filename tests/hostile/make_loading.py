"""Hostile inputs for the loader, written by code (no binary is committed).

Each ``make_*`` function writes one case into a folder and returns what the test loads.
Run ``python -m tests.hostile.make_loading OUT_DIR`` to write every case into
``OUT_DIR/<case>/`` for trials by hand (``casebook validate OUT_DIR/<case>``).
"""

from __future__ import annotations

import gzip
import os
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from casebook import schema
from tests.conftest import archive_bytes, tweet_row

#: The archive's file names, so that roles and the release name come out as for real files.
TWEETS = "hashed_2020_12_hostile_202012_hostile_202012_tweets_csv_hashed"
USERS = "hashed_2020_12_hostile_202012_hostile_202012_users_csv_hashed"
HASH = "7WTYPcAGruW7ZtKtLorAsQoBkPdRwCt0vtm6931MVE="


def tweets_bytes(n: int = 274, start: int = 1300000000000000001) -> bytes:
    """``n`` archive tweet rows (distinct ids from ``start``) as the archive writes them."""
    rows = [tweet_row(tweetid=str(start + i), tweet_text=f"tweet {i}, with \"quotes\"\nand a line")
            for i in range(n)]
    return archive_bytes(rows, schema.ARCHIVE_TWEET_COLUMNS)


def users_bytes() -> bytes:
    row = [HASH, HASH, HASH, "", "", "", "55", "169", "2020-02-01", "en"]
    return archive_bytes([row], schema.ARCHIVE_USER_COLUMNS)


def _folder(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return out


def make_release(out: Path, n: int = 5) -> Path:
    """A plain release folder: one tweets CSV of ``n`` rows."""
    folder = _folder(out)
    (folder / f"{TWEETS}.csv").write_bytes(tweets_bytes(n))
    return folder


def make_zip_beside_csv(out: Path, n: int = 274) -> Path:
    """A release folder unzipped in place: ``tweets.zip`` and the ``tweets.csv`` it holds."""
    folder = _folder(out)
    data = tweets_bytes(n)
    (folder / f"{TWEETS}.csv").write_bytes(data)
    with zipfile.ZipFile(folder / f"{TWEETS}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{TWEETS}.csv", data)
    return folder


def make_parts_beside_combined(out: Path, n: int = 274) -> Path:
    """Split parts ``_1``/``_2`` beside the combined file they were cut from."""
    folder = _folder(out)
    (folder / f"{TWEETS}.csv").write_bytes(tweets_bytes(n))
    half = n // 2
    (folder / f"{TWEETS}_1.csv").write_bytes(tweets_bytes(half))
    (folder / f"{TWEETS}_2.csv").write_bytes(tweets_bytes(n - half, start=1300000000000000001 + half))
    return folder


def make_overlapping_parts(out: Path) -> Path:
    """Two split parts that share one tweet id (neither is a copy of the other)."""
    folder = _folder(out)
    (folder / f"{TWEETS}_1.csv").write_bytes(tweets_bytes(3, start=1))
    (folder / f"{TWEETS}_2.csv").write_bytes(tweets_bytes(3, start=3))
    return folder


def _records(n: int, start: int = 1300000000000000001) -> list[list[str]]:
    """The records of one file of ``n`` tweets, each spanning two lines."""
    return [tweet_row(tweetid=str(start + i), tweet_text=f"tweet {i}, with \"quotes\"\nand a line")
            for i in range(n)]


def make_overlapping_copies(out: Path, n: int = 274, cut: int = 150, overlap: int = 30) -> Path:
    """Split parts of one file that overlap: ``_part1`` holds its records 1-150, ``_part2``
    records 121-274, so 30 rows are in both, the same in every column."""
    folder = _folder(out)
    rows = _records(n)
    (folder / f"{TWEETS}_part1.csv").write_bytes(archive_bytes(rows[:cut], schema.ARCHIVE_TWEET_COLUMNS))
    (folder / f"{TWEETS}_part2.csv").write_bytes(
        archive_bytes(rows[cut - overlap:], schema.ARCHIVE_TWEET_COLUMNS))
    return folder


def make_repeated_rows(out: Path, n: int = 274, repeated: int = 30) -> Path:
    """One file of ``n`` tweets whose first ``repeated`` rows are written again at its end."""
    folder = _folder(out)
    rows = _records(n)
    (folder / f"{TWEETS}.csv").write_bytes(archive_bytes(rows + rows[:repeated],
                                                         schema.ARCHIVE_TWEET_COLUMNS))
    return folder


def make_multi_member_zip(out: Path) -> Path:
    """One zip holding a tweets CSV and a users CSV."""
    folder = _folder(out)
    with zipfile.ZipFile(folder / "hostile_202012.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{TWEETS}.csv", tweets_bytes(5))
        zf.writestr(f"{USERS}.csv", users_bytes())
    return folder / "hostile_202012.zip"


def make_zip_bomb(out: Path, expanded_mb: int = 200) -> Path:
    """A small zip whose tweets member expands to ``expanded_mb`` MB: one endless field.

    Written piece by piece (the generator never holds the member either).
    """
    folder = _folder(out)
    path = folder / f"{TWEETS}.zip"
    row = tweet_row(tweet_text="@@FIELD@@")
    head, tail = archive_bytes([row], schema.ARCHIVE_TWEET_COLUMNS).split(b"@@FIELD@@")
    piece = b"A" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, \
            zf.open(f"{TWEETS}.csv", "w", force_zip64=True) as fh:
        fh.write(head)
        for _ in range(expanded_mb):
            fh.write(piece)
        fh.write(tail)
    return path


def make_gz_bomb(out: Path, expanded_mb: int = 200) -> Path:
    """The same endless field as :func:`make_zip_bomb`, in a small ``.csv.gz``."""
    folder = _folder(out)
    path = folder / f"{TWEETS}.csv.gz"
    row = tweet_row(tweet_text="@@FIELD@@")
    head, tail = archive_bytes([row], schema.ARCHIVE_TWEET_COLUMNS).split(b"@@FIELD@@")
    piece = b"A" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(head)
        for _ in range(expanded_mb):
            fh.write(piece)
        fh.write(tail)
    return path


def make_wrong_kind_named_csv(out: Path) -> Path:
    """A zip, a gzip file and an HTML error page, each saved under a ``.csv`` name."""
    folder = _folder(out)
    data = tweets_bytes(3)
    with zipfile.ZipFile(folder / "zip.csv", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{TWEETS}.csv", data)
    (folder / "gzip.csv").write_bytes(gzip.compress(data))
    (folder / "html.csv").write_bytes(b"<!DOCTYPE html>\n<html><body>Not Found</body></html>\n")
    return folder


def make_appledouble(out: Path) -> Path:
    """A release copied from a Mac: each file has an AppleDouble ``._`` twin (binary)."""
    folder = make_release(out, n=4)
    appledouble = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 4000
    (folder / f"._{TWEETS}.csv").write_bytes(appledouble)
    return folder


def make_malformed_rows_bomb(out: Path, expanded_mb: int = 4) -> Path:
    """A small zip whose member is the tweets header, then ``expanded_mb`` MB of ``x`` lines:
    millions of malformed records."""
    folder = _folder(out)
    path = folder / f"{TWEETS}.zip"
    header = archive_bytes([], schema.ARCHIVE_TWEET_COLUMNS)
    piece = b"x\n" * (1 << 19)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, \
            zf.open(f"{TWEETS}.csv", "w", force_zip64=True) as fh:
        fh.write(header)
        for _ in range(expanded_mb):
            fh.write(piece)
    return path


def make_huge_field(out: Path, field_mb: int = 12) -> Path:
    """A plain CSV whose third record has a ``field_mb`` MB tweet text (over the limit)."""
    folder = _folder(out)
    rows = [tweet_row(tweetid="1"), tweet_row(tweetid="2", tweet_text="two\nlines"),
            tweet_row(tweetid="3", tweet_text="x" * (field_mb << 20))]
    path = folder / f"{TWEETS}.csv"
    path.write_bytes(archive_bytes(rows, schema.ARCHIVE_TWEET_COLUMNS))
    return path


def make_long_record(out: Path) -> Path:
    """A record of 9 MB (over two of pyarrow's 4 MB parse blocks) of 3 MB fields."""
    folder = _folder(out)
    big = {"tweet_text": "t" * (3 << 20), "user_profile_description": "d" * (3 << 20),
           "user_reported_location": "l" * (3 << 20)}
    rows = [tweet_row(tweetid="1"), tweet_row(tweetid="2", **big), tweet_row(tweetid="3")]
    path = folder / f"{TWEETS}.csv"
    path.write_bytes(archive_bytes(rows, schema.ARCHIVE_TWEET_COLUMNS))
    return path


def make_truncated_gz(out: Path) -> Path:
    """A ``.csv.gz`` cut short, as a dropped download leaves it."""
    folder = _folder(out)
    path = folder / f"{TWEETS}.csv.gz"
    whole = gzip.compress(tweets_bytes(2000))
    path.write_bytes(whole[: len(whole) // 2])
    return path


def make_plain_named_gz(out: Path) -> Path:
    """A plain CSV saved under a ``.csv.gz`` name."""
    folder = _folder(out)
    path = folder / f"{TWEETS}.csv.gz"
    path.write_bytes(tweets_bytes(5))
    return path


def make_corrupt_zip(out: Path) -> Path:
    """A zip whose compressed member data is damaged (its directory is intact)."""
    folder = _folder(out)
    path = folder / f"{TWEETS}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{TWEETS}.csv", tweets_bytes(2000))
        offset = zf.infolist()[0].header_offset
    data = bytearray(path.read_bytes())
    start = offset + 30 + len(f"{TWEETS}.csv") + 200  # inside the deflate stream
    for i in range(start, start + 64):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def make_not_a_zip(out: Path) -> Path:
    """An HTML error page saved as the ``.zip``."""
    folder = _folder(out)
    path = folder / f"{TWEETS}.zip"
    path.write_bytes(b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>\n")
    return path


def make_wide_header(out: Path, extra: int = 9000) -> Path:
    """A header over 64 KB: the archive's columns, then ``extra`` more named ``extra_N``.

    Cut at 64 KB, the last name (``extra_8123`` -> ``extra_81``) repeats an earlier one.
    """
    folder = _folder(out)
    header = [*schema.ARCHIVE_TWEET_COLUMNS, *(f"extra_{i}" for i in range(extra))]
    row = [*tweet_row(), *([""] * extra)]
    path = folder / f"{TWEETS}.csv"
    path.write_bytes(archive_bytes([row], header))
    return path


def make_utf16(out: Path) -> Path:
    """The tweets file re-saved as UTF-16 (with its BOM), as some editors do."""
    folder = _folder(out)
    path = folder / f"{TWEETS}.csv"
    path.write_bytes(tweets_bytes(3).decode("utf-8").encode("utf-16"))
    return path


def make_symlink_outside(out: Path, secret: Path | None = None) -> Path:
    """A release folder whose tweets file links to a private file outside it."""
    folder = _folder(out / "release")
    secret = secret or out / "outside" / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("root:SECRET-FIRST-LINE:0:0\nmore secrets\n", encoding="utf-8")
    link = folder / f"{TWEETS}.csv"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(secret, link)
    return folder


CASES: dict[str, Callable[[Path], Path]] = {
    "plain_release": make_release,
    "zip_beside_csv": make_zip_beside_csv,
    "parts_beside_combined": make_parts_beside_combined,
    "overlapping_parts": make_overlapping_parts,
    "overlapping_copies": make_overlapping_copies,
    "repeated_rows": make_repeated_rows,
    "multi_member_zip": make_multi_member_zip,
    "zip_bomb": make_zip_bomb,
    "gz_bomb": make_gz_bomb,
    "appledouble": make_appledouble,
    "wrong_kind_named_csv": make_wrong_kind_named_csv,
    "malformed_rows_bomb": make_malformed_rows_bomb,
    "huge_field": make_huge_field,
    "long_record": make_long_record,
    "truncated_gz": make_truncated_gz,
    "plain_named_gz": make_plain_named_gz,
    "corrupt_zip": make_corrupt_zip,
    "not_a_zip": make_not_a_zip,
    "wide_header": make_wide_header,
    "utf16": make_utf16,
    "symlink_outside": make_symlink_outside,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tests.hostile.make_loading OUT_DIR", file=sys.stderr)
        return 2
    out = Path(args[0])
    for name, make in CASES.items():
        made = make(out / name)
        print(f"{name}: {made}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
