"""What a file really is, from its first bytes: a runbook saved under the wrong name is named.

A spreadsheet tool will happily save an XLSX as "runbook.csv", an RTF or an HTML page with a
.csv name; read as text they give a screen of noise. One line saying what the file is tells the
planner what to do instead.
"""

from __future__ import annotations

from pathlib import Path

ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and encrypted (password) XLSX
# An encrypted OOXML file is an OLE2 container holding these streams (UTF-16 names).
_ENCRYPTED = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


class ImportRefused(Exception):
    """A file that cannot be read at all; the message is one line for the planner."""


def kind_of(head: bytes) -> str:
    """'xlsx', 'encrypted', 'xls', 'rtf', 'pdf', 'html', 'zip' or 'text'."""
    if head.startswith(ZIP):
        return "xlsx" if b"[Content_Types].xml" in head or b"xl/" in head else "zip"
    if head.startswith(OLE2):
        return "encrypted" if any(mark in head for mark in _ENCRYPTED) else "xls"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if stripped.startswith(b"%pdf"):
        return "pdf"
    if stripped.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "xml" if stripped.startswith(b"<?xml") and b"<html" not in stripped else "html"
    return "text"


DESCRIPTIONS = {
    "xlsx": "an Excel workbook (XLSX)",
    "zip": "a ZIP archive, not an Excel workbook",
    "encrypted": "a password-protected (encrypted) Excel workbook; save a copy without the "
    "password (File > Info > Protect Workbook) and import that",
    "xls": "an old Excel 97-2003 workbook (.xls); save it as .xlsx or CSV and import that",
    "rtf": "an RTF document (a word processor's file), not a sheet; save the table as CSV",
    "pdf": "a PDF document, not a sheet; import the spreadsheet it was printed from",
    "html": "an HTML page (a web page saved with a sheet's name); save the table as CSV or XLSX",
    "xml": "an XML file (perhaps an Excel 2003 XML sheet); save it as .xlsx or CSV",
}


def read_head(path: Path, size: int = 4096) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def whole_file_kind(path: Path) -> str:
    """kind_of, looking through the whole file for an encrypted OLE2's stream names."""
    head = read_head(path)
    kind = kind_of(head)
    if kind == "xls":
        data = path.read_bytes()[: 4 * 1024 * 1024]
        if any(mark in data for mark in _ENCRYPTED):
            return "encrypted"
    return kind
