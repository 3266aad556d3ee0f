"""Work `validate` does once per plan, not once per use (issue 12): the plan's steps are sorted
once (plan/graph.py keeps the last orders; the checks' baseline and the forecast's level graph
share one, and a kept order is only handed out for an equal graph), and the gate criteria's
pool is made once, not per gate. No timings: benchmarks/plan_load.py has the figures."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cutover_tui.cli.plan_commands import forecast_line
from cutover_tui.plan import graph, parse_plan
from tests.test_forecast_blocks import PLAN, step


def test_validate_sorts_the_plan_once_for_checks_and_forecast(monkeypatch) -> None:
    sorted_graphs: list[list[str]] = []
    real = graph._kahn
    monkeypatch.setattr(
        graph, "_kahn", lambda after: sorted_graphs.append(list(after)) or real(after)
    )
    monkeypatch.setattr(graph, "_sorted", [])
    rollback = '[rollback]\nowner = "lead"\nrto = "1h"\n[[rollback.step]]\nid = "rb"\n'
    rollback += 'title = "rb"\nowner = "lead"\nduration = "10m"\n'
    text = PLAN + step("a", 20) + step("b", 50, ["a"]) + step("c", 5, ["a", "b"]) + rollback
    plan = parse_plan(text).plan
    forecast_line(plan)
    assert sorted_graphs.count(["a", "b", "c"]) == 1  # the rollback's sort came in between
    assert sorted_graphs.count(["rb"]) == 1


def test_a_kept_order_is_a_copy_and_a_changed_graph_is_sorted_afresh(monkeypatch) -> None:
    monkeypatch.setattr(graph, "_sorted", [])
    after = {"a": [], "b": ["a"], "c": ["b"]}
    first = graph.topological_order(after)
    first.reverse()  # the caller's own list
    assert graph.topological_order(dict(after)) == ["a", "b", "c"]
    after["a"].append("c")  # the same dict, its list changed: now a cycle
    try:
        graph.topological_order(after)
    except graph.CycleError:
        pass
    else:
        raise AssertionError("a stale order was handed out for a changed graph")
    assert graph.topological_order({"c": [], "b": ["c"], "a": ["b"]}) == ["c", "b", "a"]


graphs = st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.lists(
        st.lists(st.integers(min_value=0, max_value=n - 1), max_size=3), min_size=n, max_size=n
    ).map(lambda preds: {f"s{i}": [f"s{p}" for p in ps if p < i] for i, ps in enumerate(preds)})
)


@given(st.lists(st.tuples(graphs, st.booleans()), min_size=1, max_size=8))
@settings(max_examples=200)
def test_any_sequence_of_graphs_gets_the_orders_kahn_gives(calls) -> None:
    for after, reorder in calls:
        if reorder:  # the same graph, its ids given in another order: another stable order
            after = dict(reversed(after.items()))
        assert graph.topological_order(after) == graph._kahn(after)


class CountingSet(set):
    """A set that counts the unions made from it."""

    unions = 0

    def __or__(self, other):
        CountingSet.unions += 1
        return set(self) | other


def test_the_gate_criteria_pool_is_made_once_not_once_per_gate(monkeypatch) -> None:
    from cutover_tui.plan.checks import Known, _gate_and_comms_references

    gate = '[[step]]\nid = "g{n}"\ntitle = "g"\nowner = "lead"\nduration = "5m"\n'
    gate += 'kind = "gate"\ncriteria = ["a", "nowhere"]\napprovers = ["lead"]\n'
    text = PLAN + step("a", 20) + "".join(gate.format(n=n) for n in range(5))
    plan = parse_plan(text.replace('"nowhere"', '"a"')).plan
    known = Known.of(plan)
    known.steps = CountingSet(known.steps)
    monkeypatch.setattr(CountingSet, "unions", 0)
    assert list(_gate_and_comms_references(plan, known)) == []
    assert CountingSet.unions == 1  # was one per gate: 50,000 steps x 2,000 gates
