"""The blameless review from a real recorded run: scripted nights played through the real
journal, figures checked against hand-computed ones (tests/report_support.py has the plan and
its baseline), hostile text escaped in HTML and Markdown, no network reference in the HTML,
the SVG charts present, and `cutover report` from the journal alone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from cutover_tui.engine import events as ev
from cutover_tui.report.html import render_html
from cutover_tui.report.markdown import md, render_markdown
from cutover_tui.report.review import build_review
from tests.report_support import (
    after_the_night,
    hm,
    late_night,
    new_journal,
    play,
    rolled_back_night,
    shop_plan,
)

ROOT = Path(__file__).resolve().parents[1]
M = timedelta(minutes=1)


def review_of(tmp_path: Path, *scripts, text: str | None = None, now: str = "06:00"):
    journal = new_journal(tmp_path, text)
    for script in scripts:
        play(journal, script)
    review = build_review(journal.plan, journal.events(), journal.run_id, hm(now), samples=20)
    journal.close()
    return review


def test_the_rolled_back_night(tmp_path: Path) -> None:
    r = review_of(tmp_path, rolled_back_night())
    phases = {p.id: p for p in r.phases}
    # prep: planned 22:00-22:50 (50m); backup ran 40m, the go came at 22:57: 57m, +7m.
    assert (phases["prep"].planned, phases["prep"].actual) == (50 * M, 57 * M)
    assert phases["prep"].variance == 7 * M and phases["prep"].slip == 7 * M
    assert phases["move"].actual is None  # migrate never finished
    # The rollback: planned 40m from its invocation, ran 00:20-01:05.
    assert (phases["rollback"].planned, phases["rollback"].actual) == (40 * M, 45 * M)
    rb = r.rollback
    assert rb.trigger == "migrate-stuck" and rb.trigger_at == hm("00:12")
    assert rb.trigger_to_rollback == 8 * M
    assert rb.restored_at == hm("01:05") and rb.took == 45 * M
    assert rb.rto == 60 * M and rb.rto_met is True
    # Just before rollback (00:20) migrate was overrunning: projected to 00:25, then smoke
    # and announce: 00:45 against the 00:10 baseline.
    assert r.odds.drift == 35 * M
    assert [(v.id, v.variance) for v in r.variances] == [("backup", 10 * M), ("restore", 5 * M)]
    stages = [stage for stage, _ in r.odds.began]
    assert stages[-3:] == ["roll-back", "rolling-back", "ended"]
    assert r.odds.began[-3][1] == hm("00:12")  # asked again at the trigger, not a sample later
    assert "Rollback was invoked at Sat 28 Nov 00:20 GMT: migration stuck on locks." in r.summary
    assert "Service was restored in 45m, inside the RTO." in r.summary


def test_the_late_night_with_a_conditional_go(tmp_path: Path) -> None:
    r = review_of(tmp_path, late_night(), after_the_night())
    got = {p.id: (p.planned, p.actual, p.variance, p.slip) for p in r.phases}
    assert got == {
        "prep": (50 * M, 50 * M, 0 * M, 0 * M),
        "move": (60 * M, 85 * M, 25 * M, 25 * M),  # migrate 22:50-00:15
        "check": (20 * M, 25 * M, 5 * M, 30 * M),  # smoke 00:15, announce done 00:40
    }
    assert r.odds.drift == 30 * M  # finished 00:40 against the 00:10 baseline
    assert [(v.id, v.variance, v.on_planned_critical_path) for v in r.variances] == [
        ("migrate", 25 * M, True),
        ("announce", 5 * M, True),
    ]
    assert r.rollback is None
    decisions = [e.text for e in r.decisions]
    assert decisions[0] == (
        "boss: CONDITIONAL-GO at go: index rebuild untested at full size; "
        "accepted risks: search may lag"
    )
    assert r.decisions[0].who == "Bea Boss (boss)"
    assert any("OVERRIDDEN, carrying on: 95% of orders moved" in d for d in decisions)
    assert [e.text for e in r.checkpoints] == ['checkpoint smoke passed "order 4711 paid"']
    assert "The plan finished 30m later than planned." in r.summary
    stages = [s for s, _ in r.odds.began]
    assert stages[-1] == "ended" and "roll-back" in stages  # the trigger at 00:05
    assert ("roll-back", hm("00:05")) in r.odds.began
    last_odds = [p for p in r.odds.points if p.p_in_window is not None][-1]
    assert last_odds.p_in_window < 0.1  # past the 00:30 deadline the window was lost
    assert {row.id: row.status for row in r.aftercare}["checkout-p95"] == "passed"
    assert list(r.remarks) == ["What went well", "Process gaps"]


def test_the_markdown_and_html_say_the_figures(tmp_path: Path) -> None:
    r = review_of(tmp_path, late_night(), after_the_night())
    text = render_markdown(r)
    assert "| Migration | Fri 27 Nov 22:50 GMT | Fri 27 Nov 23:50 GMT |" in text
    assert "| 1h00m | 1h25m | +25m | +25m |" in text
    assert "The critical path drifted +30m against the baseline finish" in text
    assert "| break-glass | Break-glass admin account | Bea Boss (boss) | **OPEN** |" in text
    assert "**OVERDUE**" in text
    assert (
        "- Sat 28 Nov 01:00 GMT: checkout-p95 measured 1100 ms: OUT OF TOLERANCE (800 ms ±20% "
        "(lower is better)) — Dee Ay (dba)"
    ) in text
    page = render_html(r)
    assert page.count("<svg") == 2 and page.count("</svg>") == 2
    assert 'class="overdue"' in page


# -- hostile text ------------------------------------------------------------------------

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)> [x](http://evil.example) *b* |"


def hostile_plan() -> str:
    text = shop_plan(title=EVIL)
    for old in (
        'title = "Back up the shop database"',
        'name = "Dee Ay"',
        'item = "Customers can log in"',
        'what = "VPN account for the vendor\'s DBA"',
        'holder = "Acme DBA"',
        'team = "Shop support"',
        'known_issues = ["Search results lag by a minute"]',
        'title = "Migration"',
    ):
        key = old.split(" = ")[0]
        value = f"[{EVIL!r}]" if old.startswith("known_issues") else repr(EVIL)
        assert old in text
        text = text.replace(old, f"{key} = {value}", 1)
    return text


def hostile_events() -> list:
    from cutover_tui.engine import events as ev

    return [
        *late_night()[:5],
        ev.NoteAdded(actor="boss", at=hm("22:51"), kind="decision", text=EVIL),
        ev.StepStarted(actor="dba", at=hm("22:51"), step="reindex"),
        ev.StepFailed(actor="dba", at=hm("22:52"), step="reindex", reason=EVIL),
        ev.RunEnded(actor="boss", at=hm("23:00"), outcome="aborted", reason=EVIL),
        ev.ValidationRecorded(
            actor="sup", at=hm("23:10"), check="login-works", passed=False, note=EVIL
        ),
        ev.AccessClosed(actor="dba", at=hm("23:11"), access="vendor-vpn", note=EVIL),
        ev.RunbookUpdated(actor="dba", at=hm("23:12"), note=EVIL),
        ev.NoteAdded(actor="sup", at=hm("23:13"), kind="review", remark="to-change", text=EVIL),
    ]


class Tags(HTMLParser):
    """Every start tag and its attributes, and the text of every <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_data(self, data) -> None:
        if self._in_style:
            self.styles.append(data)
            self._in_style = False


def parsed(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags


def test_hostile_text_is_escaped_in_the_html(tmp_path: Path) -> None:
    r = review_of(tmp_path, hostile_events(), text=hostile_plan())
    page = render_html(r)
    tags = parsed(page)
    names = {tag for tag, _ in tags.tags}
    assert not names & {"script", "img", "a", "iframe", "link", "object", "embed"}
    assert not [a for _, attrs in tags.tags for a in attrs if a.startswith("on")]
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 12  # every field said it


def test_hostile_text_is_escaped_in_the_markdown(tmp_path: Path) -> None:
    r = review_of(tmp_path, hostile_events(), text=hostile_plan())
    text = render_markdown(r)
    assert text.count("\\<script\\>alert(1)\\</script\\>") >= 12
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    tags = parsed(rendered)
    names = {tag for tag, _ in tags.tags}
    assert not names & {"script", "img", "a", "iframe"}, names
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    # A pipe in a title is escaped: every row of the step table has its ten cells.
    table = [line for line in text.splitlines() if line.startswith("| backup ")]
    assert len(table) == 1 and table[0].count(" | ") == 9


@pytest.mark.parametrize(
    "text", ["a\x1b[31mred", "https://evil.example", "www.evil.example", "x@y.example", "# h"]
)
def test_md_leaves_no_markup_no_link_and_no_control_character(text: str) -> None:
    rendered = MarkdownIt("commonmark").enable("table").render(md(text))
    assert "<a " not in rendered and "<h1>" not in rendered and "\x1b" not in rendered


def test_the_html_fetches_nothing(tmp_path: Path) -> None:
    r = review_of(tmp_path, rolled_back_night())
    page = render_html(r)
    tags = parsed(page)
    for tag, attrs in tags.tags:
        for name, value in attrs.items():
            if name in ("src", "href", "xlink:href", "action", "data", "poster"):
                assert (value or "").startswith("#"), (tag, name, value)
            elif "://" in (value or ""):
                assert name == "xmlns" or name.startswith("xmlns:"), (tag, name, value)
    style = " ".join(tags.styles)
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    svgs = [attrs for tag, attrs in tags.tags if tag == "svg"]
    assert len(svgs) == 2  # the Gantt and the odds
    assert sum(tag == "path" for tag, _ in tags.tags) > 20  # bars and axes
    assert sum(tag == "text" for tag, _ in tags.tags) > 10  # step ids, times, stages


def test_cutover_report_writes_both_from_the_journal_alone(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    rehearsal = new_journal(runs, rehearsal=True)  # a rehearsal of the plan, rolled back
    play(rehearsal, rolled_back_night())
    rehearsal.close()
    journal = new_journal(runs)
    play(journal, late_night())
    run = journal.run_id
    journal.close()
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "cutover_tui.cli", "report", run, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # no plan file anywhere near: the journal carries it
        env={**os.environ, "CUTOVER_RUNS": str(runs), "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"wrote {out / f'review-{run}.md'}",
        f"wrote {out / f'review-{run}.html'}",
    ]
    text = (out / f"review-{run}.md").read_text()
    assert "# Post-implementation review: Shop cutover" in text
    assert f"| {rehearsal.run_id} | Fri 27 Nov 22:00 GMT | — | rolled-back |" in text
    assert f"| {run} (tonight) | Fri 27 Nov 22:00 GMT | 2h40m | completed |" in text

    def report_into(folder: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cutover_tui.cli", "report", run, "--md", "--out", str(folder)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env={**os.environ, "CUTOVER_RUNS": str(runs), "PYTHONPATH": str(ROOT)},
        )

    # A folder not there yet is made (it said "not a directory": hostile user pass, 2026-12-02).
    made = report_into(tmp_path / "reviews" / "tonight")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "reviews" / "tonight" / f"review-{run}.md").is_file()
    (tmp_path / "a-file").write_text("x")
    clash = report_into(tmp_path / "a-file")
    assert clash.returncode == 1 and "a-file: not a directory" in clash.stderr
    assert "Traceback" not in clash.stderr and clash.stderr.count("\n") == 1


def test_cutover_export_run_writes_every_step_plan_against_actual(tmp_path: Path, capsys) -> None:
    import csv

    from openpyxl import load_workbook

    from cutover_tui.cli import main

    runs = tmp_path / "runs"
    journal = new_journal(runs, shop_plan().replace('title = "Migrate orders"', 'title = "=1+1"'))
    play(journal, late_night())
    run = journal.run_id
    journal.close()
    sheet = tmp_path / "night.csv"
    assert main(["export", run, "--csv", "--out", str(sheet), "--runs", str(runs)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"wrote {sheet}: 7 steps of {run}, plan against actual"
    )
    rows = {r["step"]: r for r in csv.DictReader(sheet.open(encoding="utf-8"))}
    migrate = rows["migrate"]
    assert migrate["title"] == "'=1+1"  # never a formula in a spreadsheet
    assert (migrate["planned start"], migrate["actual finish"]) == (
        "2026-11-27T22:50+00:00",
        "2026-11-28T00:15+00:00",
    )
    assert (migrate["budget (min)"], migrate["actual (min)"], migrate["variance (min)"]) == (
        "60.0",
        "85.0",
        "25.0",
    )
    assert (
        rows["announce"]["slip (min)"] == "30.0" and rows["reindex"]["planned critical path"] == ""
    )
    book = tmp_path / "night.xlsx"
    assert main(["export", run, "--xlsx", "--out", str(book), "--runs", str(runs)]) == 0
    cells = list(load_workbook(book).active.iter_rows(values_only=True))
    assert cells[0][0] == "step" and len(cells) == 8
    migrate_row = next(row for row in cells if row[0] == "migrate")
    assert migrate_row[1] == "=1+1" and migrate_row[12] == 25.0  # text, kept as written
    assert main(["export", run, "--csv", "--out", str(sheet), "--runs", str(runs)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_incidents_in_the_review_with_their_response_against_the_sla(tmp_path: Path) -> None:
    """Issue 17 asks for incidents with their response times against SLA once incidents exist:
    the review says the same figures as `cutover incidents --json` (SEV1: acknowledge in 5m)."""
    night = rolled_back_night()
    assert night[-1].type == "run-ended"  # the incidents come before the end (01:06)
    night[-1:-1] = [
        ev.IncidentRaised(actor="dba", at=hm("00:13"), severity="sev1", title="orders 500s"),
        ev.IncidentAcknowledged(actor="boss", at=hm("00:16"), incident=1),
        ev.IncidentResolved(actor="boss", at=hm("01:05"), incident=1, resolution="rolled back"),
        ev.IncidentRaised(actor="dba", at=hm("00:30"), severity="sev2", title="slow search"),
    ]
    r = review_of(tmp_path, night)
    assert [(e.at, e.text) for e in r.incidents] == [
        (
            hm("00:13"),
            "INC-1 SEV1 orders 500s: acknowledged in 3m (SLA 5m: met), resolved in 52m; "
            "resolution: rolled back",
        ),
        (hm("00:30"), "INC-2 SEV2 slow search: never acknowledged (SLA 15m: BREACHED), still open"),
    ]
    assert "INC-1 SEV1 orders 500s: acknowledged in 3m (SLA 5m: met)" in render_markdown(r)
    assert "INC-2 SEV2 slow search: never acknowledged" in render_html(r)


def test_the_review_says_an_incidents_severity_change_and_its_reassignment(tmp_path: Path) -> None:
    # Regression (user pass, 2026-12-02): raised SEV2, made SEV1 and re-assigned, the review
    # said "INC-1 SEV2" where `cutover incidents` said SEV1, and nothing of either change.
    night = rolled_back_night()
    night[-1:-1] = [
        ev.IncidentRaised(actor="dba", at=hm("00:13"), severity="sev2", title="orders 500s"),
        ev.IncidentAcknowledged(actor="boss", at=hm("00:14"), incident=1),
        ev.IncidentSeverityChanged(
            actor="boss", at=hm("00:15"), incident=1, severity="sev1", reason="all orders"
        ),
        ev.IncidentAssigned(actor="boss", at=hm("00:16"), incident=1, owner="dba", reason="db"),
    ]
    r = review_of(tmp_path, night)
    [(_, text)] = [(e.at, e.text) for e in r.incidents]
    assert text.startswith("INC-1 SEV2→SEV1 orders 500s: acknowledged in 1m (SLA 15m: met)")
    assert "re-assigned once" in text


def test_an_overrun_alert_whose_finish_came_in_within_budget_says_so(tmp_path: Path) -> None:
    # Regression (user pass, 2026-12-02): the conductor said backup over budget at 22:31; its
    # completion, typed afterwards with --at 22:29, put it at 29m of 30m: the review listed
    # "over budget" beside a step table saying it ran under.
    script = [
        ev.StepStarted(actor="dba", at=hm("22:00"), step="backup"),
        ev.BudgetExceeded(actor="conductor", at=hm("22:31"), step="backup"),
        ev.StepCompleted(actor="dba", at=hm("22:29"), step="backup"),
    ]
    r = review_of(tmp_path, script)
    [said] = [e.text for e in r.triggers if "backup over budget" in e.text]
    assert said == (
        "backup over budget (its finish, recorded afterwards at 22:29, puts it at 29m, within "
        "its 30m budget)"
    )
