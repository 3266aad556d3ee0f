"""Hypothesis: the live schedule against a brute force over every path, on random nights.

Random DAGs of a few tasks (random budgets, dependencies and fixed starts) get a random
history: each step starts as soon as its predecessors are done (and its fixed start allows),
runs for its budget times a random factor, and everything before `now` is recorded. The brute
force walks every path of the DAG with the status-date rules and takes the latest finish.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import RunStarted, StepCompleted, StepStarted
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import check, fold
from cutover_tui.plan import parse_plan

T0 = datetime.fromisoformat("2026-11-27T22:00:00+00:00")
OVERRUN = timedelta(minutes=5)  # the schedule's default overrun minimum
HEAD = """format = 1
[plan]
id = "p"
title = "Random night"
timezone = "UTC"
[window]
start = 2026-11-27T22:00:00
end = 2026-11-28T08:00:00
buffer = "10%"
[people.lead]
name = "Lead"
roles = ["commander"]
"""


@st.composite
def nights(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    steps = []
    for i in range(n):
        after = sorted(
            draw(st.sets(st.integers(min_value=0, max_value=i - 1), max_size=3)) if i else set()
        )
        fixed = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=240)))
        steps.append(
            {
                "id": f"s{i}",
                "minutes": draw(st.integers(min_value=1, max_value=90)),
                "after": [f"s{j}" for j in after],
                "fixed": fixed,
                "factor": draw(st.sampled_from([0.5, 0.8, 1.0, 1.0, 1.3, 2.0, 3.0])),
            }
        )
    now = draw(st.integers(min_value=-30, max_value=600))
    return steps, now


def plan_of(steps) -> object:
    text = HEAD
    for s in steps:
        text += f'[[step]]\nid = "{s["id"]}"\ntitle = "{s["id"]}"\nowner = "lead"\n'
        text += f'duration = "{s["minutes"]}m"\nafter = {s["after"]!r}\n'.replace("'", '"')
        if s["fixed"] is not None:
            fixed = T0 + timedelta(minutes=s["fixed"])
            text += f"not_before = {fixed.strftime('%Y-%m-%dT%H:%M:%S')}\n"
    return parse_plan(text).plan


def history(steps, now: datetime) -> list:
    """Each step started as soon as it may, run budget x factor; only what happened by now."""
    if now < T0:
        return []  # the run starts at the window's opening
    events = [RunStarted(actor="lead", at=T0, plan_id="p", key="go")]
    finish: dict[str, datetime] = {}
    timeline = []
    for s in steps:  # ids are in topological order by construction
        start = max([T0, *(finish[p] for p in s["after"])])
        if s["fixed"] is not None:
            start = max(start, T0 + timedelta(minutes=s["fixed"]))
        finish[s["id"]] = start + timedelta(minutes=s["minutes"] * s["factor"])
        timeline.append((start, StepStarted(actor="lead", at=start, step=s["id"])))
        timeline.append(
            (finish[s["id"]], StepCompleted(actor="lead", at=finish[s["id"]], step=s["id"]))
        )
    for _, event in sorted(timeline, key=lambda t: (t[0], t[1].type != "step-completed")):
        if event.at <= now:
            events.append(event)
    return events


def brute_force_finish(plan, state, now: datetime) -> datetime:
    """The latest finish over every path, walking each with the status-date rules."""
    steps = {s.id: s for s in plan.step}
    graph = nx.DiGraph()
    graph.add_nodes_from(steps)
    graph.add_edges_from((p, s.id) for s in plan.step for p in s.after)
    as_of = max(now, T0)

    def fixed_finish(sid: str) -> datetime | None:
        st_ = state.status[sid]
        if st_.status == "done":
            return st_.finished_at
        if st_.status == "running":
            elapsed = now - st_.started_at
            budget = steps[sid].duration
            return now + (budget - elapsed if elapsed <= budget else OVERRUN)
        return None

    best = T0  # an all-done path ends at its actual finish, which may be before now
    sources = [n for n in graph if graph.in_degree(n) == 0]
    sinks = [n for n in graph if graph.out_degree(n) == 0]
    for source in sources:
        for sink in sinks:
            paths = [[source]] if source == sink else nx.all_simple_paths(graph, source, sink)
            for path in paths:
                t = as_of
                for sid in path:
                    done = fixed_finish(sid)
                    if done is not None:
                        t = done if state.status[sid].status == "done" else max(t, done)
                        continue
                    begin = max(t, as_of)
                    if steps[sid].not_before is not None:
                        begin = max(begin, steps[sid].not_before)
                    t = begin + steps[sid].duration
                best = max(best, t)
    return best


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(nights())
def test_projected_finish_equals_the_brute_force(night) -> None:
    steps, offset = night
    plan = plan_of(steps)
    now = T0 + timedelta(minutes=offset)
    state = fold(plan, history(steps, now))
    assert brute_force_finish(plan, state, now) == schedule(state, now).projected_finish


@SETTINGS
@given(nights(), st.integers(min_value=1, max_value=240))
def test_done_steps_never_move_and_time_never_pulls_the_finish_earlier(night, later) -> None:
    steps, offset = night
    plan = plan_of(steps)
    now = T0 + timedelta(minutes=offset)
    state = fold(plan, history(steps, now))
    first = schedule(state, now)
    second = schedule(state, now + timedelta(minutes=later))  # same history, later clock
    assert second.projected_finish >= first.projected_finish
    for sid, status in state.status.items():
        if status.status == "done":
            assert first.steps[sid].finish == second.steps[sid].finish == status.finished_at
            assert first.steps[sid].start == status.started_at


@SETTINGS
@given(nights())
def test_before_the_start_the_critical_path_has_no_slack_to_spare(night) -> None:
    steps, _ = night
    plan = plan_of(steps)
    sched = schedule(fold(plan, []), T0 - timedelta(minutes=10))
    slack = {sid: sched.steps[sid].slack for sid in (s.id for s in plan.step)}
    least = min(slack.values())
    assert least == sched.buffer_left  # the critical chain's slack is the buffer, nothing more
    for sid in sched.critical_path:
        assert slack[sid] == least  # relative slack zero along the critical path
        assert sched.steps[sid].critical
    assert sched.steps[sched.critical_path[-1]].finish == sched.projected_finish


@SETTINGS
@given(nights())
def test_the_generated_history_is_legal(night) -> None:
    # The history generator itself obeys the engine's rules, so the properties above are
    # about nights that could happen.
    steps, offset = night
    plan = plan_of(steps)
    events = history(steps, T0 + timedelta(minutes=offset))
    for i, event in enumerate(events):
        assert check(fold(plan, events[:i]), event) is None
