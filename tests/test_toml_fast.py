"""rtoml reads plans first (plan/toml_fast.py); tomli stays the reference (issue 12).

Differential: on generated documents the fast path gives tomli's values exactly (types, key
order, offsets: compared by repr) or steps aside (None); a plan, valid or broken, gets the
same words from `parse_plan` with rtoml as without it. No timings here: the figures are in
benchmarks/plan_load.py.
"""

from __future__ import annotations

import io
import random
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import tomli
import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cutover_tui.cli import main
from cutover_tui.plan import PlanError, parse_plan, toml_fast
from cutover_tui.plan.limits import MAX_TOML_DEPTH, toml_depth_problem
from cutover_tui.plan.toml_fast import fast_loads

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (ROOT / "tests" / "plans" / "valid-minimal.toml").read_text()
PLANS = sorted((ROOT / "plans").glob("*.toml")) + sorted((ROOT / "tests" / "plans").rglob("*.toml"))

pytestmark = pytest.mark.skipif(toml_fast.rtoml is None, reason="the rtoml wheel is not installed")


def reference(text: str) -> object:
    """tomli's reading, or the exception's class name."""
    try:
        return tomli.loads(text)
    except (tomli.TOMLDecodeError, RecursionError) as exc:
        return type(exc).__name__


def agrees(text: str) -> dict | None:
    """fast_loads's reading, asserted to be tomli's when it gives one."""
    fast = fast_loads(text)
    if fast is not None:
        assert repr(fast) == repr(reference(text))
        _only_standard_offsets(fast)
    return fast


def _only_standard_offsets(node: object) -> None:
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for value in values:
        if isinstance(value, datetime) and value.tzinfo is not None:
            assert type(value.tzinfo) is timezone
        _only_standard_offsets(value)


# --- generated values, written by tomli-w ----------------------------------------------------

keys = st.text(min_size=0, max_size=8)  # any unicode: tomli-w quotes what is not bare
offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda m: timezone(timedelta(minutes=m))
)
scalars = st.one_of(
    st.booleans(),
    # Big ones too, up to 128 bits: both read them whole. Past that rtoml may refuse one
    # (-(2**127) - 1: hypothesis, a CI run) and the fast path steps aside, as the test below.
    st.integers(min_value=-(2**127), max_value=2**127 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
    st.times(),  # local times, microseconds included
    st.datetimes(),  # local date-times
    st.datetimes(timezones=st.one_of(offsets, st.just(UTC))),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=30,
).map(lambda value: {"v": value})


@given(documents)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_generated_documents_read_the_same_as_tomli(document: dict) -> None:
    text = tomli_w.dumps(document)
    fast = agrees(text)
    deep = toml_depth_problem(text) is not None
    assert (fast is None) == deep  # within the limit nothing steps aside: the fast path is used


@pytest.mark.parametrize("value", [-(2**127) - 1, 2**127, 2**200, -(2**200)])
def test_integers_past_128_bits_read_as_tomli_or_step_aside(value: int) -> None:
    fast = agrees(tomli_w.dumps({"v": value}))  # agrees: tomli's reading whenever it reads
    assert fast is None or fast == {"v": value}


# --- literals as people write them ------------------------------------------------------------

LITERALS = [
    "1979-05-27T07:32:00Z",
    "1979-05-27T07:32:00z",
    "1979-05-27t07:32:00+00:00",
    "1979-05-27T07:32:00-00:00",
    "1979-05-27 07:32:00.123456789+05:30",
    "1979-05-27T00:32:00.999999-07:00",
    "2026-12-11T18:00:00-06:00",
    "1979-05-27T07:32:00",
    "1979-05-27 07:32:00.5",
    "1979-05-27",
    "07:32:00",
    "00:32:00.1234567",
    "inf",
    "+inf",
    "-inf",
    "nan",
    "+nan",
    "-nan",
    "-0.0",
    "+0.0",
    "6.626e-34",
    "1e1_0",
    "9_224_617.445_991_228_313",
    "0xDEADBEEF",
    "0o755",
    "0b1101",
    "9223372036854775807",
    "-9223372036854775808",
    "+99",
    '"\\u00e9\\U0001F600 tab\\there"',
    "'C:\\Users\\nodejs'",
    '"""\nmulti\\\n   line"""',
    "'''\nraw\n'''",
    "[1, 2.0, 'a', 1979-05-27, [ ], { }]",
    "{ a.b = 1, 'c' = { d = 2 } }",
    "true",
]


@pytest.mark.parametrize("literal", LITERALS)
def test_literals_read_the_same_as_tomli(literal: str) -> None:
    text = f'"ü" = 1\n"é key" = 2\nv = {literal}\n[t."ü.x"]\nw = {literal}\n'
    assert agrees(text) is not None, literal


@pytest.mark.parametrize(
    "text",
    [
        "x = 1e400",  # tomli: inf; rtoml: an overflow error
        "\ufeffx = 1",  # a byte-order mark: tomli refuses it, rtoml would skip it
        "x = " + "[" * 100_000 + "]" * 100_000,
        "a" + ".a" * 100_000 + " = 1",
    ],
    ids=["float-overflow", "byte-order-mark", "100k-arrays", "100k-dotted-key"],
)
def test_what_rtoml_reads_otherwise_is_left_to_tomli(text: str) -> None:
    assert fast_loads(text) is None


@pytest.mark.parametrize("number", ["99999999999999999999", "0xffffffffffffffff", "-2e64"])
def test_numbers_past_64_bits_read_the_same_as_tomli(number: str) -> None:
    assert agrees(f"x = {number}") is not None


# --- the nesting limit: never weaker than the text check ------------------------------------


@st.composite
def nested(draw: st.DrawFn) -> str:
    """A document whose nesting mixes headers, dotted keys, arrays and inline tables."""
    header = draw(st.lists(st.sampled_from(["a", "b"]), max_size=MAX_TOML_DEPTH + 2))
    dotted = draw(st.lists(st.sampled_from(["k", "j"]), min_size=1, max_size=MAX_TOML_DEPTH + 2))
    levels = draw(st.lists(st.sampled_from(["[", "{x = "]), max_size=MAX_TOML_DEPTH + 2))
    array = draw(st.booleans())
    closing = "".join("]" if level == "[" else "}" for level in reversed(levels))
    head = ""
    if header:
        name = ".".join(header)
        head = f"[[{name}]]\n" if array else f"[{name}]\n"
    return head + ".".join(dotted) + " = " + "".join(levels) + "1" + closing + "\n"


@given(nested())
@example("x = " + "[" * MAX_TOML_DEPTH + "]" * MAX_TOML_DEPTH)
@example("k" + ".k" * (MAX_TOML_DEPTH - 1) + " = 1")
@example("[" + ".".join("a" * MAX_TOML_DEPTH) + "]\nk = 1")
@settings(max_examples=300)
def test_a_document_the_fast_path_keeps_passes_the_nesting_check(text: str) -> None:
    if agrees(text) is not None:
        assert toml_depth_problem(text) is None


def test_the_deepest_allowed_nesting_is_kept_and_one_more_is_not() -> None:
    kept = "k" + ".k" * (MAX_TOML_DEPTH - 1) + " = 1"  # 16 parts: the root and 15 tables
    refused = "k" + ".k" * MAX_TOML_DEPTH + " = 1"  # 17 parts: the text check refuses it
    assert toml_depth_problem(kept) is None and fast_loads(kept) is not None
    assert toml_depth_problem(refused) is not None and fast_loads(refused) is None


# --- plans: the same words with rtoml as without it -------------------------------------------


def outcome(text: str, monkeypatch: pytest.MonkeyPatch, fast: bool) -> str:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(toml_fast, "rtoml", None)
        try:
            loaded = parse_plan(text, "p.toml")
        except PlanError as exc:
            return "refused\n" + str(exc)
        return repr(loaded.plan) + "\n" + "\n".join(map(str, loaded.warnings))


@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_damaged_plan_gets_the_same_words_with_rtoml_as_without(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    lines = MINIMAL.splitlines(keepends=True)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        line = lines[at]
        cut = rng.randrange(len(line) + 1)
        damage = rng.choice(['"', "'", "[", "]", "=", ".", "\\", "\x01", "\ufeff", "\n", "", "x"])
        kind = rng.randrange(3)
        if kind == 0:
            lines[at] = line[:cut] + damage + line[cut:]
        elif kind == 1:
            lines[at] = line[:cut] + line[cut + 1 :]
        else:
            lines.insert(at, line)  # a repeated key or table
    text = "".join(lines)
    agrees(text)
    assert outcome(text, monkeypatch, fast=True) == outcome(text, monkeypatch, fast=False)


def cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", PLANS, ids=lambda p: str(p.relative_to(ROOT)))
def test_validate_says_the_same_with_rtoml_as_without(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = cli(["validate", str(path)])
    with monkeypatch.context() as patch:
        patch.setattr(toml_fast, "rtoml", None)
        slow = cli(["validate", str(path)])
    assert fast == slow


def test_the_fast_path_is_the_one_taken_for_a_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    from cutover_tui.plan import load

    monkeypatch.setattr(load, "loads", lambda text: pytest.fail("tomli read a valid plan"))
    parse_plan(MINIMAL)


@pytest.mark.parametrize("offset", ["Z", "+00:00", "-06:00", "+05:45"])
def test_a_window_written_with_an_offset_is_the_same_plan(
    offset: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = MINIMAL.replace("2026-11-27T22:00:00", "2026-11-27T22:00:00" + offset)
    text = text.replace(
        'after = ["switch-back"]',
        'after = ["switch-back"]\nnot_before = 2026-11-27T23:00:00' + offset,
    )
    assert outcome(text, monkeypatch, fast=True) == outcome(text, monkeypatch, fast=False)
    plan = parse_plan(text).plan
    assert type(plan.window.start.tzinfo) is timezone


def test_a_rust_panic_in_rtoml_falls_back_to_tomli(monkeypatch: pytest.MonkeyPatch) -> None:
    class PanicException(BaseException):  # pyo3's panics derive from BaseException
        pass

    def panics(text: str) -> dict:
        raise PanicException("index out of bounds")

    monkeypatch.setattr(toml_fast.rtoml, "loads", panics)
    assert fast_loads(MINIMAL) is None
    assert parse_plan(MINIMAL).plan.plan.id == "minimal"


# --- what rtoml reads and tomli refuses or orders otherwise (plan/toml_doubt.py) -----------

# (text, tomli's words, whether rtoml itself reads it): rtoml refuses a dotted key split over
# lines, but the check stays for them (a later rtoml may read them).
SPLIT_PAIRS = [
    ("a = { x =\n 1 }\n", "Invalid value (at line 1, column 10)", True),
    (
        "a = { x\n= 1 }\n",
        "Expected '=' after a key in a key/value pair (at line 1, column 8)",
        True,
    ),
    ("a = { x = # c\n 1 }\n", "Invalid value (at line 1, column 11)", True),
    ("a = [ { x =\n 1 } ]\n", "Invalid value (at line 1, column 12)", True),
    (
        "a = { x.\ny = 1 }\n",
        "Invalid initial character for a key part (at line 1, column 9)",
        False,
    ),
    (
        "a = { x\n.y = 1 }\n",
        "Expected '=' after a key in a key/value pair (at line 1, column 8)",
        False,
    ),
    (
        "a = { x # c\n = 1 }\n",
        "Expected '=' after a key in a key/value pair (at line 1, column 9)",
        True,
    ),
    (
        "a = { x \n#c\n= 1 }\n",
        "Expected '=' after a key in a key/value pair (at line 1, column 9)",
        True,
    ),
    ("a = { x = \n#c\n1 }\n", "Invalid value (at line 1, column 11)", True),
    (
        'a = { "x"\n = 1 }\n',
        "Expected '=' after a key in a key/value pair (at line 1, column 10)",
        True,
    ),
    ("a = { x = 1, y =\t\r\n 2 }\n", "Invalid value (at line 1, column 18)", True),
    ("a = [1, { x = { y =\n 1 } }]\n", "Invalid value (at line 1, column 20)", True),
    (
        "a = { b = [\n 1 ], c.\n d = 1 }\n",
        "Invalid initial character for a key part (at line 2, column 9)",
        False,
    ),
]


@pytest.mark.parametrize(("text", "tomli_says", "rtoml_reads"), SPLIT_PAIRS)
def test_a_pair_split_over_lines_is_left_to_tomli(
    text: str, tomli_says: str, rtoml_reads: bool
) -> None:
    with pytest.raises(tomli.TOMLDecodeError) as refused:
        tomli.loads(text)
    assert str(refused.value) == tomli_says
    try:
        toml_fast.rtoml.loads(text)
        read = True
    except Exception:
        read = False
    assert read == rtoml_reads  # what the check is for
    assert fast_loads(text) is None


def test_validate_refuses_a_plan_with_a_split_pair_as_tomllib_does() -> None:
    text = MINIMAL.replace("format = 1\n", 'format = 1\nx = { low = "30m", high =\n  "1h" }\n', 1)
    assert fast_loads(text) is None
    with pytest.raises(PlanError) as refused:
        parse_plan(text)
    assert "Invalid value" in str(refused.value.problems[0])


@st.composite
def split_inline_tables(draw: st.DrawFn) -> str:
    """A valid document with inline tables, then a newline (maybe a comment) put anywhere."""
    text = tomli_w.dumps(draw(documents))
    inline = draw(
        st.sampled_from(["{ x = 1 }", "{ x.y = 1, 'z' = [ { w = 2 } ] }", "[ { a = 'b' } ]"])
    )
    text += f"t = {inline}\n"
    at = draw(st.integers(min_value=0, max_value=len(text)))
    cut = draw(st.sampled_from(["\n", " # c\n", "\n# c\n", "\r\n", "\n\n"]))
    return text[:at] + cut + text[at:]


@given(split_inline_tables())
@example("a = { x =\n 1 }\n")
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_a_newline_anywhere_reads_as_tomli_or_is_left_to_it(text: str) -> None:
    fast = agrees(text)  # tomli's reading whenever there is one
    if not isinstance(reference(text), dict):
        assert fast is None  # what tomli refuses, rtoml never reads


HEADER_ORDERS = [
    "[a.c]\nx = 1\n[b]\ny = 1\n[a]\nz = 1\n",
    "[[a.c]]\nx = 1\n[b]\n[a]\nz = 1\n",
    "[ a . c ]\nx = 1\n[b]\n[ a ]\nz = 1\n",
    '[a.c]\nx = 1\n[b]\n["a"]\nz = 1\n',
    "[t.a.c]\nx = 1\n[t.b]\n[t.a]\nz = 1\n",
]


@pytest.mark.parametrize("text", HEADER_ORDERS)
def test_a_table_defined_after_its_subtable_keeps_tomlis_order(text: str) -> None:
    assert fast_loads(text) is None or repr(fast_loads(text)) == repr(tomli.loads(text))
    assert fast_loads(text) is None


@given(
    st.permutations(
        ["[a.c]\nx = 1", "[b]\ny = 1", "[a]\nz = 1", "[b.d]\nw = 1", "[[e.f]]", "[e.g]"]
    )
)
def test_tables_in_any_order_read_as_tomli(headers: list[str]) -> None:
    agrees("\n".join(headers) + "\n")


EXAMPLES = [
    *sorted((ROOT / "plans").glob("*.toml")),
    ROOT / "tests" / "plans" / "valid-minimal.toml",
]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_prose_and_comments_ending_in_a_dot_keep_the_fast_path(path: Path) -> None:
    from cutover_tui.plan.toml_doubt import doubtful

    text = path.read_text()
    assert '."""' in text or ".\n" in text  # lines ending in a dot: in strings, comments
    assert not doubtful(text)


@pytest.mark.parametrize(
    "text",
    [
        'a = """x\r\ny"""\r\n',
        "a = '''x\r\ny'''\r\n",
        'a = { s = """x\r\n""" }\n',
        MINIMAL.replace("\n", "\r\n"),  # a plan saved with Windows line endings
    ],
    ids=["basic", "literal", "in-inline-table", "crlf-plan"],
)
def test_a_crlf_in_a_multiline_string_reads_as_tomli(text: str) -> None:
    assert repr(toml_fast.rtoml.loads(text)) != repr(reference(text))  # rtoml keeps "\r\n"
    assert agrees(text) is None  # so tomli reads it: "\n"
