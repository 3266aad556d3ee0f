"""cutover_tui/inert.py: text from plans, people and commands shown visibly, never acted on."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st
from rich.text import Text
from textual.content import Content

from cutover_tui.cli.inert_output import keep_colours
from cutover_tui.inert import ELLIPSIS, inert, inert_line, inert_markup, inert_rich
from tests.inert_support import ATTACK, hostile, unsafe_in

anything = st.one_of(hostile, st.text())


def test_every_control_format_and_separator_character_is_shown_visibly() -> None:
    """The character class in inert.py against unicodedata, over all of Unicode."""
    missed = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        controlish = unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        if controlish and char not in "\u200c\u200d" and inert_line(char) == char:
            missed.append(f"U+{code:04X}")
    assert not missed


def test_the_issues_attack_shows_as_pictures() -> None:
    assert inert(ATTACK) == "␛]0;PWNED␇␛[2J␛]8;;http://evil.example/␇CLICK␛]8;;␇"
    assert inert("\x9b31m\u202eabc\x7f") == "\\x9b31m\\u202eabc␡"
    assert inert("\ud800") == "\\ud800"  # a lone surrogate would make print() raise


def test_layout_kept_by_inert_and_shown_on_one_line_by_inert_line() -> None:
    assert inert("a\n\tb\r\n") == "a\n\tb␍\n"
    assert inert_line("a\n\tb\r\n") == "a⏎ b␍⏎"


def test_plain_text_emoji_and_scripts_pass_unchanged() -> None:
    for text in ("Payroll cutover", "Zoë · 東京 · 👩‍👩‍👧", "می‌خواهم", "[bold]x[/]"):
        assert inert(text) == text


@given(anything)
def test_nothing_unsafe_survives_and_inert_is_idempotent(text: str) -> None:
    assert not unsafe_in(inert(text), layout="\n\t")
    assert not unsafe_in(inert_line(text))
    assert inert(inert(text)) == inert(text)
    assert inert_line(inert_line(text)) == inert_line(text)


@given(anything, st.integers(min_value=1, max_value=50))
def test_a_limit_cuts_with_an_ellipsis(text: str, limit: int) -> None:
    made = inert_line(text, limit)
    assert len(made) <= limit
    whole = inert_line(text)
    assert made == whole or (made.endswith(ELLIPSIS) and whole.startswith(made[:-1]))


def test_a_huge_note_costs_only_its_limit() -> None:
    huge = "\x1b" * 10_000_000
    assert inert_line(huge, 80) == "␛" * 79 + ELLIPSIS


@given(anything)
@example("\\")  # a lone trailing backslash: Rich's escape doubled it, and both showed
@example("x\\\\")
# Textual opens a tag at "[" before any letter: Rich's escape left this one open, and the
# palette's worker raised MarkupError (the hostile-text property test, 2026-12-02).
@example("[\u00cd\u00be^[link=http://evil.example/]click[/link]")
@example("[x\\[link=a]")
def test_markup_escaped_reads_back_as_the_inert_text(text: str) -> None:
    """As the command palette reads a title and help: Textual's markup."""
    assert Content.from_markup(inert_markup(text)).plain == inert_line(text)


@given(st.lists(st.tuples(anything, st.sampled_from(["", "bold", "red on white"])), max_size=4))
def test_inert_rich_keeps_every_style_and_shows_every_control(parts) -> None:
    text = Text.assemble(*parts)
    made = inert_rich(text)
    assert made.plain == inert(text.plain)
    assert not unsafe_in(made.plain, layout="\n\t")
    # Each character's style is its piece's, as if each piece had been made inert alone.
    expected = Text.assemble(*((inert(Text(piece).plain), style) for piece, style in parts))
    assert styles(made) == styles(expected)


def styles(text: Text) -> list[set[str]]:
    """The styles over each character of `text`."""
    out: list[set[str]] = [set() for _ in text.plain]
    for span in text.spans:
        for i in range(span.start, span.end):
            out[i].add(str(span.style))
    return out


def test_inert_rich_on_one_line() -> None:
    made = inert_rich(Text.assemble(("a\nb", "bold"), "\x1b"), one_line=True)
    assert made.plain == "a⏎b␛"
    assert made.spans[0].style == "bold"


def test_a_chart_keeps_its_own_colours_and_nothing_else() -> None:
    chart = "\x1b[31m█\x1b[0m plan \x1b]0;PWNED\x07\x1b[2J"
    assert keep_colours(chart) == "\x1b[31m█\x1b[0m plan ␛]0;PWNED␇␛[2J"
