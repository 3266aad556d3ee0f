"""The review as one self-contained HTML file: inline CSS, the charts as inline SVG, no
script, no font, no link to anything outside the file (tests/test_report.py parses it).

Rendered by Jinja2 with autoescape on: every text from a plan or a person is escaped; only
the SVG that report/charts.py drew from ids and times is marked safe.
"""

from __future__ import annotations

from datetime import timedelta

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from ..inert import inert
from ..plan.durations import format_duration
from .charts import gantt_svg, odds_svg
from .review import Review
from .sections import aftercare_groups, handover_facts, rollback_lines, stage_lines
from .timeline import TICKED_OFF

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_ENV.filters["dur"] = lambda d, signed=False: (
    "—" if d is None else format_duration(d, signed=signed)
)
_ENV.filters["t"] = inert  # control characters shown, then escaped by autoescape
_ENV.filters["pct"] = lambda p: "—" if p is None else f"{p:.0%}"


def render_html(r: Review) -> str:
    charts = {
        "gantt": Markup(gantt_svg(r.steps, r.plan.zone, r.plan.window.end)),
        "odds": Markup(odds_svg(r.odds, r.plan.zone, r.plan.window.end)),
    }
    points = [p for p in r.odds.points if p.p_in_window is not None]
    return _TEMPLATE.render(
        r=r,
        charts=charts,
        points=points[:: max(1, len(points) // 12)],
        stages=stage_lines(r),
        rollback=rollback_lines(r),
        groups=aftercare_groups(r),
        handover=handover_facts(r),
        zero=timedelta(0),
        ticked_off=TICKED_OFF,
    )


_TEMPLATE = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Review: {{ r.plan.plan.title|t }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1200px;margin:1.5em auto;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.85em;margin:.5em 0 1em}
th,td{border:1px solid #ddd;padding:.25em .45em;text-align:left;vertical-align:top}
th{background:#f3f5f8}.num{text-align:right;white-space:nowrap}.meta{color:#555}
.bad,.overdue{color:#b71c1c;font-weight:600}.ok{color:#1b5e20}.note{font-style:italic;color:#555}
.chart svg{max-width:100%;height:auto}.summary{font-size:1.05em;line-height:1.5}
</style></head><body>
<h1>Post-implementation review: {{ r.plan.plan.title|t }}</h1>
<p class="meta">Run {{ r.run_id|t }} · plan {{ r.plan.plan.id|t }} · as of {{ r.when(r.now) }}</p>
<p class="note">Blameless: this review speaks of steps and decisions, never ranks people.</p>

<h2>The night in one paragraph</h2>
<p class="summary">{{ r.summary|t }}</p>

<h2>Timeline: planned against actual</h2>
<div class="chart">{{ charts.gantt }}</div>
<h3>Per phase</h3>
{% if r.phases %}<table><tr><th>phase</th><th>planned</th><th>actual</th><th>planned length</th>
<th>actual length</th><th>variance</th><th>finish slip</th></tr>
{% for p in r.phases %}<tr><td>{{ p.title|t }}</td>
<td>{{ r.when(p.planned_start) }} – {{ r.when(p.planned_finish) }}</td>
<td>{{ r.when(p.actual_start) }} – {{ r.when(p.actual_finish) }}</td>
<td class="num">{{ p.planned|dur }}</td><td class="num">{{ p.actual|dur }}</td>
<td class="num {{ 'bad' if p.variance and p.variance > zero }}">{{ p.variance|dur(true) }}</td>
<td class="num {{ 'bad' if p.slip and p.slip > zero }}">{{ p.slip|dur(true) }}</td></tr>
{% endfor %}</table>{% else %}<p>The plan has no phases.</p>{% endif %}

<h3>The biggest variances and the critical path</h3>
{% if r.odds.drift is not none %}<p>The critical path drifted <b>{{ r.odds.drift|dur(true) }}</b>
against the baseline finish ({{ r.when(r.planned_finish) }}), measured
{{ 'just before rollback' if r.rollback else 'at the end' }}.</p>{% endif %}
{% if r.variances %}<ul>{% for s in r.variances %}<li><b>{{ s.id|t }}</b> ({{ s.title|t }}) ran
{{ s.variance|dur }} over its {{ s.budget|dur }} budget;
{% if s.on_planned_critical_path %}on the planned critical path, so its overrun reached the
finish{% else %}off the planned critical path: slack could absorb it{% endif %} (it finished
{{ s.slip|dur(true) }} against plan).</li>
{% endfor %}</ul>{% else %}<p>No step ran over its budget.</p>{% endif %}

<h3>Per step</h3>
<table><tr><th>step</th><th>title</th><th>status</th><th>planned start</th><th>actual start</th>
<th>actual finish</th><th>budget</th><th>actual</th><th>variance</th><th>critical</th></tr>
{% for s in r.steps %}<tr><td>{{ s.id|t }}</td><td>{{ s.title|t }}</td>
<td class="{{ 'bad' if s.status == 'failed' }}">{{ s.status }}</td>
<td>{{ r.when(s.planned_start) }}</td><td>{{ r.when(s.actual_start) }}</td>
<td>{{ r.when(s.actual_finish) }}</td><td class="num">{{ s.budget|dur }}</td>
<td class="num">{{ ticked_off if s.ticked_off else s.actual|dur }}</td>
<td class="num {{ 'bad' if s.variance and s.variance > zero }}">{{ s.variance|dur(true) }}</td>
<td>{{ 'yes' if s.on_planned_critical_path }}</td></tr>
{% endfor %}</table>

{% macro entries(title, items, who=false) %}<h2>{{ title }}</h2>
{% if items %}<ul>{% for e in items %}<li>{{ r.when(e.at) }}: {{ e.text|t }}
{% if who and e.who %} — <i>{{ e.who|t }}</i>{% endif %}</li>{% endfor %}</ul>
{% else %}<p>None.</p>{% endif %}{% endmacro %}
{{ entries("Decisions and their reasons", r.decisions, true) }}
{{ entries("Deviations and amendments", r.deviations) }}
{{ entries("Checkpoints and their evidence", r.checkpoints) }}
{{ entries("Triggers fired and alerts", r.triggers) }}

<h2>Rollback</h2>
{% if rollback %}<ul>{% for line in rollback %}<li class="{{ 'bad' if 'MISSED' in line }}">{{ line|t }}</li>{% endfor %}</ul>
{% else %}<p>No rollback.</p>{% endif %}

<h2>How the forecast moved</h2>
<div class="chart">{{ charts.odds }}</div>
{% if points %}<table><tr><th>moment</th><th>P(in window)</th><th>stage</th></tr>
{% for p in points %}<tr><td>{{ r.when(p.at) }}</td><td class="num">{{ p.p_in_window|pct }}</td>
<td>{{ p.stage }}</td></tr>{% endfor %}</table>{% endif %}
<p>When each alarm level began:</p><ul>{% for line in stages %}<li>{{ line|t }}</li>{% endfor %}</ul>
{% if r.calibration is not none %}<h3>How reliable the odds were</h3><table>
{% for a, b in r.calibration %}<tr><td>{{ a|t }}</td><td>{{ b|t }}</td></tr>{% endfor %}</table>{% endif %}

{% if r.incidents is not none %}{{ entries("Incidents", r.incidents) }}
{% else %}<h2>Incidents</h2><p>Not recorded by this version of the journal.</p>{% endif %}
{{ entries("Messages sent", r.messages) }}

<h2>After the night</h2>
{% if groups %}{% for heading, rows in groups %}<h3>{{ heading|t }}</h3>
<table><tr><th>item</th><th>what</th><th>owner</th><th>status</th><th>detail</th><th>due</th></tr>
{% for x in rows %}<tr class="{{ 'overdue' if x.overdue }}"><td>{{ x.id|t }}</td><td>{{ x.title|t }}</td>
<td>{{ r.state.name(x.owner)|t }}</td>
<td class="{{ 'bad' if x.overdue or x.status == 'failed' else ('ok' if x.done) }}">{{ x.status }}{{ ' — OVERDUE' if x.overdue }}</td>
<td>{{ x.detail|t }}</td><td>{{ r.when(x.due) }}</td></tr>{% endfor %}</table>
{% endfor %}
{% if r.validations %}<h3>Every validation recorded</h3><ul>{% for e in r.validations %}
<li class="{{ 'bad' if 'OUT OF TOLERANCE' in e.text or 'FAILED' in e.text }}">{{ r.when(e.at) }}: {{ e.text|t }} — <i>{{ e.who|t }}</i></li>{% endfor %}</ul>{% endif %}
{% if handover %}<h3>Handover details</h3><ul>{% for k, v in handover %}<li><b>{{ k|t }}</b>: {{ v|t }}</li>{% endfor %}</ul>{% endif %}
{% else %}<p>The plan has no post-cutover part.</p>{% endif %}

<h2>Rehearsals beside tonight</h2>
<table><tr><th>run</th><th>started</th><th>total</th><th>outcome</th></tr>
{% for x in r.rehearsals %}<tr><td>{{ x.run_id|t }}{{ ' (tonight)' if x.tonight }}</td>
<td>{{ r.when(x.started_at) }}</td><td class="num">{{ x.total|dur }}</td><td>{{ x.outcome|t }}</td></tr>
{% endfor %}</table>

<h2>Review remarks</h2>
{% if r.remarks %}{% for heading, items in r.remarks.items() %}<h3>{{ heading }}</h3><ul>
{% for e in items %}<li>{{ e.text|t }} <span class="meta">({{ e.who|t }})</span></li>{% endfor %}</ul>
{% endfor %}{% else %}<p>None yet.</p>{% endif %}
</body></html>
"""
)
