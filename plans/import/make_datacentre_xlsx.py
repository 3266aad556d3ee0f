"""Write plans/import/datacentre-move.xlsx: a runbook sheet with the mess real ones have.

Merged title rows over the table, a blank line, phase headings merged across the row, durations
in mixed units (plain minutes, "30 min", "1.5h", "1:30" as an Excel time, "2 hrs"),
predecessors by sheet row number, a "Board comments" column no plan key matches, a formula
(saved with its value, as Excel saves it) and a remark under the table.
Run: .venv/bin/python plans/import/make_datacentre_xlsx.py
"""

from __future__ import annotations

from datetime import time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent
HEADER = [
    "Task",
    "Owner",
    "Est. duration",
    "Predecessors",
    "Type",
    "Instructions",
    "Verification",
    "Board comments",
]
# (phase heading) or (task, owner, duration, predecessors as labels, type, instructions,
# verification, comments); predecessor labels become sheet row numbers below.
ROWS: list[tuple | str] = [
    "PHASE 1 - PREPARATION",
    (
        "Confirm change freeze with CAB",
        "Hannah Reid",
        15,
        "",
        "",
        "Call the CAB chair",
        "",
        "CHG-88213",
    ),
    ("Notify service desk of outage", "Tom Okafor", "10 min", "freeze", "", "", "", ""),
    (
        "Stop batch scheduler",
        "Raj Patel",
        "15m",
        "freeze",
        "",
        "Control-M: hold all folders",
        "",
        "",
    ),
    (
        "Take final database backups",
        "Raj Patel",
        "1.5h",
        "batch",
        "",
        "RMAN level 0 to the backup array",
        "",
        "Biggest risk",
    ),
    (
        "Backups verified",
        "Raj Patel",
        "20 min",
        "backup",
        "Checkpoint",
        "",
        "Restore test of one tablespace passes",
        "",
    ),
    "PHASE 2 - SHUTDOWN AND MOVE",
    (
        "Shut down application servers",
        "Lena Novak",
        "30 min",
        "verified",
        "",
        "In the order on page 4",
        "",
        "",
    ),
    ("Shut down database servers", "Raj Patel", "20m", "apps", "", "", "", ""),
    (
        "De-rack and load the truck",
        "Sam Whitfield",
        time(1, 30),
        "db-down",
        "",
        "Two-person lift",
        "",
        "Truck booked 23:00",
    ),
    (
        "Transport to the new site",
        "Sam Whitfield",
        "2 hrs",
        "derack",
        "",
        "",
        "",
        "Police escort not needed",
    ),
    ("Re-rack and cable", "Sam Whitfield", 120, "transport", "", "Use the cable map v3", "", ""),
    "PHASE 3 - START UP",
    ("Power on and check hardware", "Lena Novak", 45, "rerack", "", "", "", ""),
    ("Start database servers", "Raj Patel", "30 min", "power", "", "", "", ""),
    (
        "Database integrity check",
        "Raj Patel",
        "=C18",
        "db-up",
        "Checkpoint",
        "",
        "DBVERIFY shows no corrupt blocks",
        "",
    ),
    ("Start application servers", "Lena Novak", "30 min", "integrity", "", "", "", ""),
    ("Smoke tests", "Priya Das", "1h", "apps-up", "", "Run the 40 smoke scripts", "", ""),
    ("Go / no-go", "Hannah Reid", "15 min", "smoke", "Go/No-Go", "", "", "Sponsor on the bridge"),
    "PHASE 4 - HANDOVER",
    ("Release batch scheduler", "Raj Patel", "10 min", "go", "", "", "", ""),
    ("Tell the service desk we are up", "Tom Okafor", "5 min", "go", "", "", "", ""),
    ("Service restored", "Hannah Reid", "0 min", "batch-on, desk", "Milestone", "", "", ""),
]
LABELS = {  # label -> task title, to find the row number of each predecessor
    "freeze": "Confirm change freeze with CAB",
    "batch": "Stop batch scheduler",
    "backup": "Take final database backups",
    "verified": "Backups verified",
    "apps": "Shut down application servers",
    "db-down": "Shut down database servers",
    "derack": "De-rack and load the truck",
    "transport": "Transport to the new site",
    "rerack": "Re-rack and cable",
    "power": "Power on and check hardware",
    "db-up": "Start database servers",
    "integrity": "Database integrity check",
    "apps-up": "Start application servers",
    "smoke": "Smoke tests",
    "go": "Go / no-go",
    "batch-on": "Release batch scheduler",
    "desk": "Tell the service desk we are up",
}


def build(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Runbook"
    width = len(HEADER)
    sheet.append(["Data centre move: Slough to Reading - cutover runbook"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.append(["Weekend of 5-6 December 2026, version 0.7 (draft for the rehearsal)"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])  # the blank line real sheets have between title and table
    sheet.append(HEADER)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    row_of: dict[str, int] = {}
    row = 5
    for item in ROWS:
        if isinstance(item, tuple):
            row_of[item[0]] = row
        row += 1
    for item in ROWS:
        if isinstance(item, str):
            sheet.append([item])
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width
            )
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            continue
        task, owner, duration, preds, kind, instructions, verify, comments = item
        numbers = ", ".join(
            str(row_of[LABELS[label.strip()]]) for label in preds.split(",") if label.strip()
        )
        sheet.append(
            [
                task,
                owner,
                duration,
                numbers or None,
                kind or None,
                instructions or None,
                verify or None,
                comments or None,
            ]
        )
        if isinstance(duration, time):
            sheet.cell(sheet.max_row, 3).number_format = "h:mm"
    # A remark under the table, as sheets have. C20 holds a formula: "as long as row 18".
    total = sheet.max_row + 2
    sheet.cell(total, 6, "Prepared by H. Reid; reviewed at the rehearsal board")
    for column, size in zip("ABCDEFGH", (38, 16, 14, 14, 12, 36, 36, 24), strict=True):
        sheet.column_dimensions[column].width = size
    sheet["A1"].alignment = Alignment(horizontal="left")
    book.save(path)
    _save_formula_value(path, "C20", "45")


def _save_formula_value(path: Path, ref: str, value: str) -> None:
    """Store the value Excel would have saved with the formula in `ref` (openpyxl does not
    calculate), as a workbook last saved by Excel has it."""
    import zipfile

    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source:
        items = {name: source.read(name) for name in source.namelist()}
    xml = items[part].decode()
    start = xml.index(f'<c r="{ref}"')
    end = xml.index("</c>", start)
    cell = xml[start:end]
    fixed = cell.replace("<v></v>", "").replace("<v />", "") + f"<v>{value}</v>"
    items[part] = (xml[:start] + fixed + xml[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in items.items():
            target.writestr(name, data)


if __name__ == "__main__":
    build(HERE / "datacentre-move.xlsx")
    print(f"wrote {HERE / 'datacentre-move.xlsx'}")
