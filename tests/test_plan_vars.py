"""A plan's [vars]: ${name} in checks, located errors, and a run's --var override written
into the plan text it keeps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.plan import parse_plan
from cutover_tui.plan.errors import PlanError
from cutover_tui.plan.vars import VarError, override, parse_assignments

PLAN = """format = 1
[plan]
id = "v"
title = "Vars"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T02:00:00
[vars]
shop = "https://shop.example"  # the new storefront
other = "x"
[people.a]
name = "A"
roles = ["commander"]
[[step]]
id = "look"
kind = "checkpoint"
title = "Look at ${shop}"
owner = "a"
duration = "5m"
verify = "it answers"
[step.check]
type = "{kind}"
{body}
"""


def plan(body: str, kind: str = "http") -> str:
    return PLAN.replace("{kind}", kind).replace("{body}", body)


def test_a_var_is_used_in_a_check_and_nowhere_else() -> None:
    loaded = parse_plan(plan('url = "${shop}/search?q=mug"'))
    step = loaded.plan.step_by_id["look"]
    assert step.check.url == "https://shop.example/search?q=mug"
    assert step.title == "Look at ${shop}"  # not a check: left as written
    assert loaded.plan.vars == {"shop": "https://shop.example", "other": "x"}


def test_dollar_dollar_is_a_literal_dollar() -> None:
    loaded = parse_plan(plan('shell = "echo $${HOME} ${other}"', kind="command"))
    assert loaded.plan.step_by_id["look"].check.shell == "echo ${HOME} x"


def test_an_unknown_var_is_one_located_error_with_the_nearest_name() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(plan('url = "${shp}/search"'), name="p.toml")
    [problem] = caught.value.problems
    text = str(problem)
    assert text.startswith("p.toml:23: step[0].check.url: unknown var ${shp}")
    assert "(did you mean 'shop'?)" in text


def test_override_sets_the_value_and_keeps_the_plans_in_a_comment() -> None:
    text = override(plan('url = "${shop}/search"'), {"shop": "http://127.0.0.1:8765"})
    assert (
        'shop = "http://127.0.0.1:8765"  # set at run start; the plan says "https://shop.example"'
        in text
    )
    loaded = parse_plan(text)
    assert loaded.plan.step_by_id["look"].check.url == "http://127.0.0.1:8765/search"
    assert loaded.plan.vars["other"] == "x"


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"nope": "x"}, "no line `nope = "),
        ({"shop": "a\nb"}, "a value is one line"),
    ],
)
def test_override_refuses_in_one_line(values: dict[str, str], says: str) -> None:
    with pytest.raises(VarError, match=says):
        override(plan('url = "${shop}/"'), values)


def test_a_var_outside_the_vars_table_is_not_overridden() -> None:
    text = plan('url = "${shop}/"').replace('other = "x"', 'other = "x"\n[people.shop]\nname = "S"')
    with pytest.raises(VarError):
        override(
            text.replace('shop = "https://shop.example"  # the new storefront\n', ""), {"shop": "y"}
        )


def test_assignments_are_name_equals_value() -> None:
    assert parse_assignments(["shop=http://h:1/a=b"]) == {"shop": "http://h:1/a=b"}
    with pytest.raises(VarError, match="NAME=VALUE"):
        parse_assignments(["shop"])


@settings(max_examples=60, deadline=None)
@given(
    value=st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40
    )
)
def test_any_one_line_value_round_trips_through_the_kept_text(value: str) -> None:
    text = override(plan('url = "https://h/"'), {"other": value})
    assert parse_plan(text).plan.vars["other"] == value


def test_a_var_the_plan_lacks_names_the_ones_it_has(tmp_path) -> None:
    from cutover_tui.plan.vars import with_overrides

    loaded = parse_plan(plan('url = "${shop}/"'))
    with pytest.raises(
        VarError, match=r"has no 'shp' \(it has: other, shop\); did you mean 'shop'\?"
    ):
        with_overrides(loaded, ["shp=x"])
