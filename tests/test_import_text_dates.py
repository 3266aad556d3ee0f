"""Text dates read exactly as before they were made fast.

Left from a review (2026-12-03): `values.when_of` tried each strptime format in turn, about a
dozen failed calls a text (2.4 s for 10,000 dates like 03/04/2026 22:00). It now asks strptime
only for the formats whose shape the text has (importers/text_dates.py), and keeps what it
read. The old function is copied here as the oracle: for any text, in either order, the new one
gives the same When, or the same refusal with the same message.
"""

from __future__ import annotations

import re
import string
from datetime import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from cutover_tui.importers import text_dates
from cutover_tui.importers.values import (
    _OFFSET,
    _WEEKDAY,
    CellError,
    When,
    _with_offset,
    date_order,
    when_of,
)

# --- the oracle: values.when_of and values.date_order as of commit c8dfaab --------------------
# (when_of's text branch: a datetime or date cell takes the branch above it, unchanged)

_OLD_DATES = {
    "iso": ("%Y-%m-%d",),
    "dmy": ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y"),
    "mdy": ("%m/%d/%Y", "%m/%d/%y", "%b %d %Y", "%B %d %Y"),
}
_OLD_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I %p", "T%H:%M", "T%H:%M:%S")


def old_when_of(value: str, order: str = "dmy") -> When:
    text = _WEEKDAY.sub("", value.strip()).replace(",", "")
    if _OFFSET.search(text):
        return _with_offset(value, text)
    for fmt_date in (*_OLD_DATES["iso"], *_OLD_DATES[order]):
        for fmt_time in _OLD_TIMES:
            try:
                parsed = datetime.strptime(text, fmt_date + fmt_time)
            except ValueError:
                continue
            return When(parsed, fmt_time == "")
    raise CellError(f"{value!r} is not a date and time; write it like 2026-11-27 22:00")


def old_date_order(texts: list[str]) -> str:
    for text in texts:
        try:
            old_when_of(text, "dmy")
        except CellError:
            try:
                old_when_of(text, "mdy")
            except CellError:
                continue
            return "mdy"
    return "dmy"


def outcome(read, text: str, order: str) -> tuple[object, ...]:
    try:
        found = read(text, order)
    except CellError as exc:
        return ("refused", str(exc), exc.hint)
    return ("read", found.at, found.date_only, found.offset)


# --- date texts: well formed, nearly so, and not at all --------------------------------------

MONTHS = ["Jan", "FEB", "march", "Sep", "Sept", "May", "December", "Dec.", "Mai", "jun"]
HALVES = ["AM", "PM", "pm", "Am", "a.m.", "p", "XM", ""]
DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")  # Arabic-Indic: \d matches them


def mostly(usual: list[str], rare: list[str]) -> st.SearchStrategy[str]:
    """One of `usual` most times, else one of `rare` (in the middle: sampled_from leans to
    its ends)."""
    return st.sampled_from([*usual * 6, *rare, *usual * 6])


@st.composite
def numbers(draw, low: int, high: int, edges: tuple[int, ...] = ()) -> str:
    n = draw(mostly([*range(low, high + 1)], [low - 1, high + 1, *edges]))
    return draw(mostly([str(n), f"{n:02d}"], [f"{n:>2}", f"{n:03d}", f"{n:04d}"]))


@st.composite
def day_parts(draw) -> str:
    day, month = draw(numbers(1, 31, (29, 30))), draw(numbers(1, 12))
    year = draw(st.one_of(numbers(1970, 2100, (1, 999, 1969, 9999)), numbers(0, 99, (68, 69))))
    word = draw(st.sampled_from(MONTHS))
    sep = draw(mostly(["/", ".", "-"], [" ", "/ ", "", ":"]))
    return draw(
        st.sampled_from(
            [
                f"{year}-{month}-{day}",
                f"{year}{sep}{month}{sep}{day}",
                f"{day}{sep}{month}{sep}{year}",
                f"{month}{sep}{day}{sep}{year}",
                f"{day} {word} {year}",
                f"{word} {day} {year}",
                f"{word} {day}, {year}",
            ]
        )
    )


@st.composite
def time_parts(draw) -> str:
    hour, minute = draw(numbers(0, 23, (12,))), draw(numbers(0, 59))
    second, half = draw(numbers(0, 59, (60, 61))), draw(st.sampled_from(HALVES))
    return draw(
        st.sampled_from(
            [
                "",
                f"{hour}:{minute}",
                f"{hour}:{minute}:{second}",
                f"{hour}:{minute} {half}",
                f"{hour} {half}",
                f"{hour}:{minute}:{second} {half}",
                f"{hour}:{minute}+01:00",
                f"{hour}:{minute}:{second} -0500",
                f"{hour}:{minute}Z",
            ]
        )
    )


@st.composite
def date_texts(draw) -> str:
    text = draw(day_parts())
    clock = draw(time_parts())
    if clock:
        text += draw(mostly([" ", "T"], ["  ", "\t", "\u00a0", "\u2003", "t", "", " at "])) + clock
    if draw(st.integers(0, 4)) == 0:
        text = draw(st.sampled_from(["Fri ", "friday, ", "Mon. ", "Sun,", "Thurs "])) + text
    if draw(st.integers(0, 19)) == 0:
        text = text.translate(DIGITS)
    return draw(mostly([""], [" ", "\n"])) + text + draw(mostly([""], [" ", ","]))


# Every form the old function tried, and a few near it that it never did.
FORMATS = sorted(
    {d + t for forms in _OLD_DATES.values() for d in forms for t in _OLD_TIMES}
    | {"%Y/%m/%d %H:%M", "%d-%m-%y", "%m-%d-%Y", "%d %b %y", "%m/%d/%Y %I:%M:%S %p"}
)
MONTH_NAMES = ["Jan", "Feb", "Mar", "Sep", "May", "June", "December", "JULY", "sept", "Mai"]


@st.composite
def formatted(draw) -> str:
    """A date written in one of FORMATS, each field mostly in range and mostly padded as
    strftime would."""
    fields = {
        "d": numbers(1, 31, (29, 30)),
        "m": numbers(1, 12),
        "Y": numbers(1970, 2100, (1, 999, 1969, 9999)),
        "y": numbers(0, 99, (68, 69)),
        "H": numbers(0, 23),
        "I": numbers(1, 12, (0,)),
        "M": numbers(0, 59),
        "S": numbers(0, 59, (60, 61)),
        "b": mostly(MONTH_NAMES, ["Sept.", "", "Janu"]),
        "B": mostly(MONTH_NAMES, ["Sept.", "", "Janu"]),
        "p": mostly(["AM", "PM", "am", "pm", "Pm"], ["a.m.", "A", ""]),
    }
    fmt = draw(st.sampled_from(FORMATS))
    parts = re.split(r"%(.)", fmt)
    text = "".join(draw(fields[p]) if i % 2 else p for i, p in enumerate(parts))
    text = text.replace(" ", draw(mostly([" "], ["  ", "\t", "\u00a0", "\u2003"])))
    if draw(st.integers(0, 9)) == 0:
        text = draw(st.sampled_from(["Fri ", "friday, ", "Mon. ", "Sun,", "Thurs "])) + text
    if draw(st.integers(0, 9)) == 0:  # some digits Arabic-Indic: strptime reads many such
        mask = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        text = "".join(c.translate(DIGITS) if m else c for c, m in zip(text, mask, strict=True))
    case = draw(mostly([str], [str.lower, str.upper, str.swapcase]))
    return case(text)


ANY_TEXT = st.text(alphabet=string.digits + "/-.: ,TtAaPpMmZz+\t\u00a0JanDecMay", max_size=28)
TEXTS = st.one_of(formatted(), formatted(), date_texts(), ANY_TEXT)


@settings(max_examples=400)  # a one-off run of 40,000 passed (2026-12-03)
@given(text=TEXTS, order=st.sampled_from(["dmy", "mdy"]))
@example(text="03/04/2026 22:00", order="dmy")
@example(text="03/04/2026 22:00", order="mdy")
@example(text="12/24/2026 10:00 PM", order="dmy")
@example(text="31/02/2026", order="dmy")
@example(text="29/02/2024 23:59:59", order="dmy")
@example(text="2026-11-27T22:00:60", order="dmy")
@example(text="27 nov 26", order="dmy")
@example(text="Nov 27 2026 12 AM", order="mdy")
@example(text="27.11.69 00:00", order="dmy")
@example(text="27.11.68 00:00", order="dmy")
@example(text="0000-01-01", order="dmy")
@example(text=" 3/ 4/2026\t22:00", order="mdy")
@example(text="٢٠٢٦-11-2٧ 1٢:0٠", order="dmy")
@example(text="27.11.2026 1٠:3٩:5٩", order="mdy")
@example(text="27/11/٢٦", order="dmy")
@example(text="27/11/2026t22:00", order="dmy")
@example(text="27 NOV 2026 10 pm", order="dmy")
@example(text="x" * 80, order="dmy")  # longer than the cache keeps
@example(text="27/11/2026 " + " " * 60 + "22:00", order="dmy")
def test_a_text_date_reads_as_it_did(text: str, order: str) -> None:
    old = outcome(old_when_of, text, order)
    assert outcome(when_of, text, order) == old
    assert outcome(when_of, text, order) == old  # again: kept from the first read
    text_dates._read_cached.cache_clear()
    assert outcome(when_of, text, order) == old


@settings(max_examples=100)
@given(texts=st.lists(TEXTS, max_size=6))
def test_a_columns_date_order_is_as_it_was(texts: list[str]) -> None:
    assert date_order(texts) == old_date_order(texts)
