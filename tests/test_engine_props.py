"""Hypothesis: the live schedule against a brute force over every path, on random nights.

Random DAGs of a few tasks (random budgets, dependencies and fixed starts) get a random
history: each step starts as soon as its predecessors are done (and its fixed start allows),
runs for its budget times a random factor, and everything before `now` is recorded. The brute
force walks every path of the DAG with the status-date rules and takes the latest finish.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cutover_tui.engine.events import (
    DependencyChanged,
    EstimateChanged,
    RunStarted,
    StepAdded,
    StepCompleted,
    StepFailed,
    StepResumed,
    StepSkipped,
    StepStarted,
    StepSuspended,
)
from cutover_tui.engine.schedule import schedule
from cutover_tui.engine.state import apply, check, fold
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
end = {end}
buffer = "10%"
[people.lead]
name = "Lead"
roles = ["commander"]
"""
END = T0 + timedelta(hours=10)


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


def plan_of(steps, end: datetime = END) -> object:
    text = HEAD.format(end=end.strftime("%Y-%m-%dT%H:%M:%S"))
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


# -- bigger nights, against networkx ----------------------------------------------------------


@st.composite
def big_nights(draw):
    """Up to 40 steps, each after up to 4 of the 10 before it: too many paths to walk."""
    n = draw(st.integers(min_value=2, max_value=40))
    steps = []
    for i in range(n):
        window = range(max(0, i - 10), i)
        after = sorted(draw(st.sets(st.sampled_from(window), max_size=4))) if i else []
        steps.append(
            {
                "id": f"s{i}",
                "minutes": draw(st.integers(min_value=1, max_value=60)),
                "after": [f"s{j}" for j in after],
                "fixed": draw(st.one_of(st.none(), st.none(), st.integers(0, 300))),
                "factor": draw(st.sampled_from([0.5, 1.0, 1.0, 1.5, 2.5])),
            }
        )
    now = draw(st.integers(min_value=-30, max_value=900))
    return steps, now


def networkx_projection(plan, state, now: datetime) -> tuple[datetime, dict[str, datetime]]:
    """The status-date method as a longest-path problem for networkx.

    A source S has an edge to every step: weight its actual finish for a done step, now plus
    what is left (or the overrun minimum) for a running one, and the later of now and its fixed
    start for a pending one. Done and running steps take no time of their own and keep no
    predecessors; an edge u -> v weighs u's remaining duration; every step has an edge to a
    sink E weighing its own. The longest path S -> v is v's projected start (its finish, for a
    step already done or running), and S -> E the projected finish.
    """
    as_of = max(now, T0)
    graph = nx.DiGraph()
    own: dict[str, float] = {}
    for step in plan.step:
        sid, st_ = step.id, state.status[step.id]
        if st_.status == "done":
            release, own[sid] = st_.finished_at, 0.0
        elif st_.status == "running":
            elapsed = now - st_.started_at
            left = step.duration - elapsed if elapsed <= step.duration else OVERRUN
            release, own[sid] = now + left, 0.0
        else:
            release = max(as_of, step.not_before or as_of)
            own[sid] = step.duration.total_seconds()
        graph.add_edge("S", sid, weight=-(release - T0).total_seconds())
    for step in plan.step:
        graph.add_edge(step.id, "E", weight=-own[step.id])
        if state.status[step.id].status not in ("done", "running"):
            for pred in step.after:
                graph.add_edge(pred, step.id, weight=-own[pred])
    longest = nx.single_source_bellman_ford_path_length(graph, "S")  # negated: a DAG
    starts = {sid: T0 + timedelta(seconds=-longest[sid]) for sid in own}
    return T0 + timedelta(seconds=-longest["E"]), starts


BIG = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BIG
@given(big_nights())
def test_projected_times_equal_networkx_longest_paths(night) -> None:
    steps, offset = night
    plan = plan_of(steps)
    now = T0 + timedelta(minutes=offset)
    state = fold(plan, history(steps, now))
    sched = schedule(state, now)
    finish, starts = networkx_projection(plan, state, now)
    assert sched.projected_finish == finish
    for step in plan.step:
        times, status = sched.steps[step.id], state.status[step.id].status
        if status == "pending":
            assert times.start == starts[step.id]
            assert times.finish == starts[step.id] + step.duration
        else:  # done or running: the source edge is its finish
            assert times.finish == starts[step.id]


@BIG
@given(big_nights())
def test_the_critical_path_is_a_least_slack_chain_to_the_projected_finish(night) -> None:
    steps, offset = night
    plan = plan_of(steps)
    now = T0 + timedelta(minutes=offset)
    state = fold(plan, history(steps, now))
    sched = schedule(state, now)
    open_ids = [s.id for s in plan.step if state.status[s.id].status != "done"]
    if not open_ids:
        assert sched.critical_path == () and sched.percent_done == 1.0
        return
    slack = {sid: sched.steps[sid].slack for sid in open_ids}
    least = min(slack.values())
    assert least == sched.buffer_left  # the deadline minus the projected finish
    # Critical: exactly the open steps with the least slack.
    assert {sid for sid in open_ids if sched.steps[sid].critical} == {
        sid for sid in open_ids if slack[sid] == least
    }
    path = sched.critical_path
    assert path and all(slack[sid] == least for sid in path)
    assert sched.steps[path[-1]].finish == sched.projected_finish
    for pred, succ in pairwise(path):
        assert pred in plan.step_by_id[succ].after
        assert sched.steps[succ].start == sched.steps[pred].finish
        assert sched.steps[succ].driver == pred
    first = sched.steps[path[0]]
    fixed = plan.step_by_id[path[0]].not_before
    assert first.status == "running" or first.start in (sched.as_of, fixed)


@SETTINGS
@given(nights())
def test_slack_is_zero_on_the_critical_path_when_the_window_is_exactly_long_enough(night) -> None:
    steps, _ = night
    baseline, _ = networkx_projection(plan_of(steps), fold(plan_of(steps), []), T0)
    plan = plan_of(steps, end=baseline)  # the deadline is the baseline finish: no buffer
    sched = schedule(fold(plan, []), T0 - timedelta(minutes=10))
    assert sched.projected_finish == sched.deadline == baseline
    slack = {s.id: sched.steps[s.id].slack for s in plan.step}
    assert min(slack.values()) == timedelta(0)
    assert all(value >= timedelta(0) for value in slack.values())
    assert {sid for sid in slack if sched.steps[sid].critical} == {
        sid for sid, value in slack.items() if value == timedelta(0)
    }
    assert all(slack[sid] == timedelta(0) for sid in sched.critical_path)


# -- the ready queue and the rules agree ----------------------------------------------------


def command(kind: str, sid: str, new_id: str, first: str, now: datetime):
    """The commander's command of `kind` on step `sid` at `now`."""
    who = {"actor": "lead", "at": now}
    if kind == "start":
        return StepStarted(step=sid, **who)
    if kind == "complete":
        return StepCompleted(step=sid, **who)
    if kind == "fail":
        return StepFailed(step=sid, reason="broke", **who)
    if kind == "suspend":
        return StepSuspended(step=sid, reason="wait", **who)
    if kind == "resume":
        return StepResumed(step=sid, **who)
    if kind == "skip":
        return StepSkipped(step=sid, reason="not needed", **who)
    if kind == "estimate":
        return EstimateChanged(step=sid, duration_s=600, reason="r", **who)
    if kind == "dependency":
        return DependencyChanged(step=sid, after=[first], reason="r", **who)
    return StepAdded(
        step=new_id, title="Added", owner="lead", duration_s=300, after=[sid], reason="r", **who
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(big_nights(), st.data())
def test_the_ready_queue_is_what_the_rules_let_start(night, data) -> None:
    """After a random legal night (starts, completions, failures, suspensions, skips, live
    amendments), a step is in the ready queue exactly when check lets it start now."""
    steps, _ = night
    plan = plan_of(steps)
    state = fold(plan, [RunStarted(actor="lead", at=T0, plan_id="p")])
    now = T0
    for n in range(data.draw(st.integers(min_value=0, max_value=60), label="events")):
        now += timedelta(minutes=data.draw(st.sampled_from([0, 1, 5, 20]), label="wait"))
        sid = data.draw(st.sampled_from(state.order), label="step")
        kind = data.draw(
            st.sampled_from(
                ["start"] * 4
                + ["complete"] * 4
                + ["fail", "suspend", "resume", "skip"]
                + ["estimate", "dependency", "add"]
            ),
            label="kind",
        )
        event = command(kind, sid, f"added-{n}", state.order[0], now)
        if check(state, event) is None:
            apply(state, event)
    sched = schedule(state, now)
    for sid in state.order:
        may_start = check(state, StepStarted(actor="lead", at=now, step=sid)) is None
        fixed = state.steps[sid].not_before
        waits = fixed is not None and fixed > now  # the commander may start it early
        assert (sid in sched.ready) == (may_start and not waits), sid


# -- fold's shortcuts against apply ------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(big_nights(), st.data())
def test_fold_is_apply_one_event_at_a_time(night, data) -> None:
    """fold holds a step's start back and makes a step done in one go a compact state: on a
    random legal night (with monotonic readings from one boot or two) it must leave every
    step as applying the events one at a time does, and the schedule must agree."""
    steps, _ = night
    plan = plan_of(steps)
    applied = fold(plan, [])
    boots = data.draw(st.sampled_from([[None], ["b1"], ["b1", "b2"], [None, "b1"]]), label="boots")
    events = []
    now = T0
    for n in range(data.draw(st.integers(min_value=0, max_value=60), label="events")):
        if not events:
            event = RunStarted(actor="lead", at=T0, plan_id="p", key="go")
        else:
            now += timedelta(minutes=data.draw(st.sampled_from([0, 1, 5, 20]), label="wait"))
            sid = data.draw(st.sampled_from(applied.order), label="step")
            kind = data.draw(
                st.sampled_from(["start"] * 5 + ["complete"] * 5 + ["fail", "suspend", "resume"]),
                label="kind",
            )
            event = command(kind, sid, f"added-{n}", applied.order[0], now)
            boot = data.draw(st.sampled_from(boots), label="boot")
            if boot is not None:
                mono = (now - T0).total_seconds() + (0 if boot == "b1" else 5000)
                event = event.model_copy(update={"boot": boot, "mono": mono})
        event = event.model_copy(update={"seq": n + 1, "key": f"k{n}"})
        if check(applied, event) is None:
            apply(applied, event)
            events.append(event)
    folded = fold(plan, events)
    assert folded.status == applied.status
    for sid, st_ in folded.status.items():
        other = applied.status[sid]
        assert (st_.actual, st_.closed, repr(st_)) == (other.actual, other.closed, repr(other))
    assert (folded.keys, folded.last_seq, folded.event_count) == (
        applied.keys,
        applied.last_seq,
        applied.event_count,
    )
    ours, theirs = schedule(folded, now), schedule(applied, now)
    assert (ours.projected_finish, ours.ready, ours.running, ours.critical_path) == (
        theirs.projected_finish,
        theirs.ready,
        theirs.running,
        theirs.critical_path,
    )
    assert dict(ours.steps) == dict(theirs.steps)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(big_nights(), st.data())
def test_every_open_steps_latest_finish_is_the_deadline_less_what_must_follow_it(
    night, data
) -> None:
    """The schedule takes the latest finishes from the graph when every edge out of an open
    step leads to a pending one, and walks back over the open steps otherwise (a step
    skipped ahead of its predecessors, say): both must give, for every open step, the
    deadline less the longest chain of projected spans of open steps after it."""
    steps, _ = night
    plan = plan_of(steps)
    state = fold(plan, [RunStarted(actor="lead", at=T0, plan_id="p")])
    now = T0
    for n in range(data.draw(st.integers(min_value=0, max_value=40), label="events")):
        now += timedelta(minutes=data.draw(st.sampled_from([0, 5, 20]), label="wait"))
        sid = data.draw(st.sampled_from(state.order), label="step")
        kind = data.draw(st.sampled_from(["start", "complete", "skip", "fail"]), label="kind")
        event = command(kind, sid, f"added-{n}", state.order[0], now)
        if check(state, event) is None:
            apply(state, event)
    sched = schedule(state, now)
    open_ids = [sid for sid in state.order if sched.steps[sid].latest_finish is not None]
    successors: dict[str, list[str]] = {sid: [] for sid in state.order}
    for sid in state.order:
        for pred in state.steps[sid].after:
            successors[pred].append(sid)
    latest: dict[str, datetime] = {}

    def latest_finish(sid: str) -> datetime:
        if sid not in latest:
            times = [
                latest_finish(succ) - (sched.steps[succ].finish - sched.steps[succ].start)
                for succ in successors[sid]
                if succ in open_ids
            ]
            latest[sid] = min(times, default=sched.deadline)
        return latest[sid]

    for sid in open_ids:
        assert sched.steps[sid].latest_finish == latest_finish(sid), sid
        assert sched.steps[sid].slack == latest_finish(sid) - sched.steps[sid].finish
