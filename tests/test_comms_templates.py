"""Templates rendered in Jinja2's sandbox with live values; a missing value says so in the
draft and never raises; the built-ins, overridden by the plan; host comms settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.comms.settings import CommsConfigError, load_comms_settings
from cutover_tui.comms.templates import render, render_text
from cutover_tui.comms.values import About, live_values
from cutover_tui.engine.events import RunStarted, StepStarted
from cutover_tui.engine.state import fold
from cutover_tui.plan import parse_plan
from tests.comms_support import at, comms_plan


def state_of(text: str, *events):
    plan = parse_plan(text, name="ct.toml").plan
    return fold(plan, [RunStarted(actor="boss", at=at(0), plan_id="ct", key="r"), *events])


def test_a_status_update_carries_the_live_figures() -> None:
    state = state_of(comms_plan(), StepStarted(actor="boss", at=at(1), step="migrate", key="m"))
    values = live_values(state, at(40), About(audience="execs"))
    out = render(state.plan, "status-update", values)
    assert out.subject == "Comms test: AT RISK at 22:40" or out.subject.startswith("Comms test: ")
    assert "Now running: Migrate the data" in out.body
    assert "Commander: Bea Boss" in out.body
    assert "22:40" in out.body
    # No forecaster: no odds yet, said as such with the plan of record ({outlook}), not a
    # "[no likely_finish yet]" gap in a message to the execs.
    assert "no odds yet at tonight's pace; the plan of record" in out.body, out.body
    assert out.complete and "[no " not in out.body, out.body


def test_a_missing_value_is_named_in_the_draft() -> None:
    plan = parse_plan(comms_plan(), name="ct.toml").plan
    out = render(plan, "incident", {"now": at(3)})
    assert "[no reason yet]" in out.body
    assert {"reason", "step", "outlook"} <= set(out.missing)
    assert not out.complete


def test_the_plan_overrides_a_builtin_template() -> None:
    text = comms_plan(
        extra='[[template]]\nid = "go-live"\nsubject = "Live: {plan.title}"\nbody = "Live at {now:%H:%M}."\n'
    )
    state = state_of(text)
    out = render(state.plan, "go-live", live_values(state, at(30)))
    assert (out.subject, out.body) == ("Live: Comms test", "Live at 22:30.")


def test_template_text_is_never_code() -> None:
    missing: list[str] = []
    text = render_text(
        "{{ 7*7 }} {% for x in y %} {now:%H} {plan.__class__}", {"now": at(0), "plan": 1}, missing
    )
    assert text == "{ 7*7 } [unknown placeholder % for x in y %] 22 [no plan.__class__ yet]"
    assert "__class__" in missing[0]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_template_text_renders_or_says_why(text: str) -> None:
    missing: list[str] = []
    out = render_text(text, {"now": at(0)}, missing)
    assert isinstance(out, str)


def test_an_audience_with_no_address_is_refused_at_validation() -> None:
    from cutover_tui.plan import PlanError

    text = comms_plan(extra='[[audience]]\nid = "ghosts"\nname = "Nobody reachable"\n')
    with pytest.raises(PlanError) as caught:
        parse_plan(text, name="ct.toml")
    assert "'ghosts' has no address" in str(caught.value)


def test_comms_settings_bad_key_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "comms.toml"
    path.write_text('[smtp]\nhost = "mail"\nsecurity = "tls"\n')
    with pytest.raises(CommsConfigError, match=r"comms.toml:3: smtp.security: must be one of"):
        load_comms_settings(path)
    path.write_text('[smtp]\nhost = "mail"\npasword_file = "/x"\n')
    with pytest.raises(CommsConfigError, match=r"comms.toml:3: smtp.pasword_file: unknown key"):
        load_comms_settings(path)
    assert not load_comms_settings(tmp_path / "absent.toml").found


def test_the_readme_comms_example_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index("cat > /etc/cutover/comms.toml <<'EOF'\n")
    text = readme[readme.index("\n", start) + 1 : readme.index("\nEOF\n", start)]
    path = tmp_path / "comms.toml"
    path.write_text(text)
    settings = load_comms_settings(path)
    assert settings.smtp is not None and settings.smtp.security == "starttls"
    assert settings.hook_for("it-service-desk").format == "slack"


def test_an_address_that_is_not_one_is_refused_at_validation() -> None:
    from cutover_tui.plan import PlanError

    text = comms_plan().replace('"desk@example.com"', '"desk@example.com\\nBcc: all@example.com"')
    with pytest.raises(PlanError, match="is not an email address"):
        parse_plan(text, name="ct.toml")


def test_a_header_the_email_package_refuses_is_a_failure_in_words_not_a_crash() -> None:
    from cutover_tui.comms.channels import DeliveryError, Outgoing, send
    from cutover_tui.comms.settings import CommsSettings, Smtp

    settings = CommsSettings(Path("x"), True, Smtp("127.0.0.1", 9, "none"))
    # An address with a line break (a subject's is shown as "⏎" since it is made inert).
    out = Outgoing("k", "execs", "email", "s", "body", to=("a\nb@example.com",))
    with pytest.raises(DeliveryError) as caught:
        send(out, settings)
    assert caught.value.permanent and "cannot be sent" in caught.value.reason


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=200)
    | st.lists(
        st.sampled_from(
            [
                "[smtp]",
                "[webhook]",
                "[delivery]",
                "[webhook.audience.x]",
                'host = "h"',
                "port = 0",
                'security = "ssl"',
                "attempts = 99",
                'backoff = "x"',
                'format = "teams"',
                'url_file = "rel"',
                'secret_env = "A B"',
                "timeout = -1",
                "[nope]",
                "bogus = 1",
            ]
        ),
        max_size=8,
    ).map("\n".join)
)
def test_any_comms_settings_text_loads_or_is_one_line(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "comms.toml"
        path.write_bytes(text.encode("utf-8", "replace"))
        try:
            load_comms_settings(path)
        except CommsConfigError as exc:
            assert "\n" not in str(exc).strip() and str(path) in str(exc)


HUGE_WIDTH = '[[template]]\nid = "go-live"\nsubject = "Live: {plan.title:x>5000000}"\nbody = "b"\n'


def test_a_placeholder_width_past_the_limit_is_refused_at_validation() -> None:
    """`{reason:x>5000000}` built a 5 MB string at every render (the comms review,
    2026-12-02): a plan could ask for gigabytes. Refused naming the file, line and key."""
    from cutover_tui.plan import PlanError

    with pytest.raises(PlanError) as caught:
        parse_plan(comms_plan(extra=HUGE_WIDTH), name="ct.toml")
    said = str(caught.value)
    assert "ct.toml:" in said and "subject" in said
    assert "a width or precision over 200 in 'x>5000000'" in said


def test_a_stored_template_with_such_a_width_renders_a_line_not_the_string() -> None:
    missing: list[str] = []
    out = render_text("{plan:x>5000000}|{plan:.900}|{plan:>12}", {"plan": "ok"}, missing)
    assert out == (
        "[plan: a width or precision over 200 in 'x>5000000']|"
        "[plan: a width or precision over 200 in '.900']|          ok"
    )
    assert len(missing) == 2
