"""The review as Markdown (CommonMark with pipe tables), readable in a plain viewer.

Every text from a plan or a person goes through `md`: made inert (control characters shown),
kept to one line, and every ASCII punctuation character backslash-escaped (CommonMark lets
any be), so no `<script>`, link, emphasis, table pipe or heading can come from a note.
"""

from __future__ import annotations

import re
from datetime import timedelta

from ..inert import inert_line
from ..plan.durations import format_duration
from .review import Entry, Review
from .sections import aftercare_groups, handover_facts, rollback_lines, stage_lines
from .timeline import TICKED_OFF

# What can start markup inside a line: emphasis, code, links, raw HTML, tables, entities,
# strikethrough, headings. Times (22:00) and plain punctuation stay readable.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~&#!{}])")
# GitHub's autolinks need no brackets: "https://x", "www.x", "a@b.c" are broken up.
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp|mailto|file):|\bwww\.|@")


def md(text: object) -> str:
    """Text from outside made literal in Markdown, on one line."""
    escaped = _MARKUP.sub(r"\\\1", inert_line(str(text)))
    return _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], escaped)


def dur(delta: timedelta | None, *, signed: bool = False) -> str:
    return "—" if delta is None else format_duration(delta, signed=signed)


def render_markdown(r: Review) -> str:
    out: list[str] = [f"# Post-implementation review: {md(r.plan.plan.title)}", ""]
    out += [f"Run `{r.run_id}` · plan {md(r.plan.plan.id)} · as of {md(r.when(r.now))}", ""]
    out += ["_Blameless: this review speaks of steps and decisions, never ranks people._", ""]
    out += ["## The night in one paragraph", "", md_paragraph(r.summary), ""]
    out += _phases(r) + _variances(r) + _steps(r)
    out += _entries(r, "Decisions and their reasons", r.decisions, who=True)
    out += _entries(r, "Deviations and amendments", r.deviations)
    out += _entries(r, "Checkpoints and their evidence", r.checkpoints)
    out += _entries(r, "Triggers fired and alerts", r.triggers)
    out += _rollback(r) + _odds(r)
    out += (
        _entries(r, "Incidents", r.incidents)
        if r.incidents is not None
        else ["## Incidents", "", "Not recorded by this version of the journal.", ""]
    )
    out += _entries(r, "Messages sent", r.messages)
    out += _aftercare(r) + _rehearsals(r) + _remarks(r)
    if r.calibration is not None:
        out += ["## How reliable the odds were", "", "| odds | came true |", "|---|---|"]
        out += [f"| {md(a)} | {md(b)} |" for a, b in r.calibration] + [""]
    return "\n".join(out) + "\n"


def md_paragraph(text: str) -> str:
    return md(text)


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _phases(r: Review) -> list[str]:
    out = ["## Timeline: planned against actual", "", "### Per phase", ""]
    if not r.phases:
        return [*out, "The plan has no phases.", ""]
    rows = [
        [
            md(p.title),
            md(r.when(p.planned_start)),
            md(r.when(p.planned_finish)),
            md(r.when(p.actual_start)),
            md(r.when(p.actual_finish)),
            dur(p.planned),
            dur(p.actual),
            dur(p.variance, signed=True),
            dur(p.slip, signed=True),
        ]
        for p in r.phases
    ]
    head = ["phase", "planned start", "planned finish", "actual start", "actual finish"]
    return out + _table([*head, "planned", "actual", "variance", "finish slip"], rows)


def _steps(r: Review) -> list[str]:
    out = ["### Per step", ""]
    rows = [
        [
            md(s.id),
            md(s.title),
            md(s.status),
            md(r.when(s.planned_start)),
            md(r.when(s.actual_start)),
            md(r.when(s.actual_finish)),
            dur(s.budget),
            TICKED_OFF if s.ticked_off else dur(s.actual),
            dur(s.variance, signed=True),
            "yes" if s.on_planned_critical_path else "",
        ]
        for s in r.steps
    ]
    head = ["step", "title", "status", "planned start", "actual start", "actual finish"]
    return out + _table([*head, "budget", "actual", "variance", "critical"], rows)


def _variances(r: Review) -> list[str]:
    out = ["### The biggest variances and the critical path", ""]
    drift = r.odds.drift
    if drift is not None:
        out += [
            f"The critical path drifted {dur(drift, signed=True)} against the baseline finish "
            f"({md(r.when(r.planned_finish))}), measured "
            + ("just before rollback." if r.rollback else "at the end."),
            "",
        ]
    if not r.variances:
        return [*out, "No step ran over its budget.", ""]
    for s in r.variances:
        effect = (
            "on the planned critical path, so its overrun reached the finish"
            if s.on_planned_critical_path
            else "off the planned critical path: slack could absorb it"
        )
        effect += f" (it finished {dur(s.slip, signed=True)} against plan)"
        out.append(
            f"- **{md(s.id)}** ran {dur(s.variance)} over its {dur(s.budget)} budget; {effect}."
        )
    return [*out, ""]


def _entries(r: Review, title: str, entries: list[Entry], *, who: bool = False) -> list[str]:
    out = [f"## {title}", ""]
    if not entries:
        return [*out, "None.", ""]
    for e in entries:
        by = f" — {md(e.who)}" if who and e.who else ""
        out.append(f"- {md(r.when(e.at))}: {md(e.text)}{by}")
    return [*out, ""]


def _rollback(r: Review) -> list[str]:
    out = ["## Rollback", ""]
    lines = rollback_lines(r)
    return [*out, *(f"- {md(line)}" for line in lines), ""] if lines else [*out, "No rollback.", ""]


def _odds(r: Review) -> list[str]:
    out = ["## How the forecast moved", ""]
    points = [p for p in r.odds.points if p.p_in_window is not None]
    if points:
        rows = [
            [md(r.when(p.at)), f"{p.p_in_window:.0%}", md(p.stage)]
            for p in points[:: max(1, len(points) // 12)]
        ]
        out += _table(["moment", "P(in window)", "stage"], rows)
    out += ["When each alarm level began:", ""]
    out += [f"- {md(line)}" for line in stage_lines(r)]
    return [*out, ""]


def _aftercare(r: Review) -> list[str]:
    out = ["## After the night", ""]
    if not r.aftercare:
        return [*out, "The plan has no post-cutover part.", ""]
    for heading, rows in aftercare_groups(r):
        out += [f"### {md(heading)}", ""]
        table = [
            [
                md(x.id),
                md(x.title),
                md(r.state.name(x.owner)),
                ("**" + md(x.status.upper()) + "**")
                if x.overdue or x.status == "failed"
                else md(x.status),
                md(x.detail),
                md(r.when(x.due)) + (" **OVERDUE**" if x.overdue else ""),
            ]
            for x in rows
        ]
        out += _table(["item", "what", "owner", "status", "detail", "due"], table)
    if r.validations:
        out += ["### Every validation recorded", ""]
        out += [f"- {md(r.when(e.at))}: {md(e.text)} — {md(e.who)}" for e in r.validations] + [""]
    facts = handover_facts(r)
    if facts:
        out += ["### Handover details", ""] + [f"- {md(k)}: {md(v)}" for k, v in facts] + [""]
    return out


def _rehearsals(r: Review) -> list[str]:
    rows = [
        [
            md(x.run_id) + (" (tonight)" if x.tonight else ""),
            md(r.when(x.started_at)),
            dur(x.total),
            md(x.outcome),
        ]
        for x in r.rehearsals
    ]
    return [
        "## Rehearsals beside tonight",
        "",
        *_table(["run", "started", "total", "outcome"], rows),
    ]


def _remarks(r: Review) -> list[str]:
    out = ["## Review remarks", ""]
    if not r.remarks:
        return [*out, "None yet (cutover do RUN note --kind review --remark went-well ...).", ""]
    for heading, entries in r.remarks.items():
        out += [f"### {md(heading)}", ""]
        out += [f"- {md(e.text)} ({md(e.who)})" for e in entries] + [""]
    return out
