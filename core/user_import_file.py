"""Reading the CSV file of an import of learners: what spreadsheets write, as a table of lines.

Excel and LibreOffice write UTF-8 with or without a byte-order mark, or Windows-1252 (Excel's
"CSV (separator: semicolon)" on a French Windows), sometimes UTF-16 ("Unicode text"); cells are
separated by ``;`` in French locales, ``,`` elsewhere, tab in "Unicode text". Headings may be
Moodle's upload-users names or the French ones an association writes. Line numbers are those the
spreadsheet shows: the header is line 1, blank lines count.

What each line then does is decided in :mod:`core.user_import`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from core import i18n
from core.i18n import gettext as _

MAX_MEGABYTES = 2
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024


def max_size_label() -> str:
    """The size limit as people read it ("2 MB", "2 Mo" in French)."""
    return _("%(size)s MB", size=MAX_MEGABYTES)


def megabytes(size: int) -> str:
    """A file size in MB as the reader writes numbers ("20", "2,5" in French)."""
    return i18n.format_number(round(size / (1024 * 1024), 1))


# A workshop cohort is 12 to 40 people and the whole first programme 400 learners. Issuing a
# login code costs more as the import's transaction grows (measured on the shared 2-core machine:
# 40 new learners 0.04 s, 500 under 1 s, 2000 about 9 s), so one file stays a programme's size.
MAX_LINES = 500


class ImportFileError(ValueError):
    """The whole file is refused (too large, unreadable, no header, missing columns)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def loose_key(text: str) -> str:
    """A heading or a cell value compared loosely: no accents, no case, no punctuation."""
    stripped = unicodedata.normalize("NFKD", text.strip().lower())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in stripped if not unicodedata.combining(c)))


# Heading (as loose_key makes it) → field. Moodle's upload-user names first, then French ones.
HEADINGS = {
    "username": "login",
    "login": "login",
    "loginname": "login",
    "identifiant": "login",
    "nomdutilisateur": "login",
    "utilisateur": "login",
    "firstname": "firstname",
    "givenname": "firstname",
    "prenom": "firstname",
    "lastname": "lastname",
    "surname": "lastname",
    "familyname": "lastname",
    "nom": "lastname",
    "nomdefamille": "lastname",
    "fullname": "fullname",
    "name": "fullname",
    "nomcomplet": "fullname",
    "prenometnom": "fullname",
    "nometprenom": "fullname",
    "email": "email",
    "mail": "email",
    "emailaddress": "email",
    "courriel": "email",
    "adresseemail": "email",
    "adressemail": "email",
    "adressecourriel": "email",
    "lang": "language",
    "language": "language",
    "langue": "language",
    "role": "role",
    "role1": "role",
}
# Moodle numbers its group columns (group1, group2 ...); any of them is a group to join.
GROUP_HEADING = re.compile(r"^(group|groupe|cohort|cohorte)\d*$")


@dataclass(frozen=True)
class Row:
    """One data line of the file: its number as a spreadsheet shows it and its cells by field."""

    number: int
    cells: dict[str, str]
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    encoding: str
    separator: str
    columns: dict[str, str]  # field → the heading as written in the file
    ignored: tuple[str, ...]  # headings this import does not use
    rows: tuple[Row, ...]


def check_size(size: int) -> None:
    """Refuse a file over the limit, naming its size and the limit."""
    if size > MAX_BYTES:
        raise ImportFileError(
            _(
                "The file is %(size)s MB; the largest file that can be imported is %(limit)s.",
                size=megabytes(size),
                limit=max_size_label(),
            )
        )


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        # The workbook itself (.xlsx, .ods are zip files; .xls is an OLE file), not its CSV.
        raise ImportFileError(
            _(
                "This is a spreadsheet workbook, not a CSV file. In your spreadsheet, choose "
                "“Save as”, then the type “CSV UTF-8”, and upload that file."
            )
        )
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "This file cannot be read as text. Save it from your spreadsheet as "
                "“CSV UTF-8” and try again."
            )
        ) from None


def sniff_separator(header_line: str) -> str:
    """``;`` (French spreadsheets), ``,`` or tab: the one the header line uses most."""
    counts = {sep: header_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts.values())
    if best == 0:
        return ","
    return next(sep for sep in (";", "\t", ",") if counts[sep] == best)


def read_table(data: bytes) -> Table:
    """Check the file as a whole and read its lines; raise :class:`ImportFileError` if refused."""
    check_size(len(data))
    text, encoding = decode(data)
    text = text.lstrip("\ufeff")  # some tools write the byte-order mark twice
    lines = text.splitlines()
    # Excel writes (and reads) a first line "sep=;" naming the separator; it shows no row for it.
    if lines and re.fullmatch(r"sep=.", lines[0].strip()):
        separator = lines[0].strip()[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        first = next((line for line in lines if line.strip()), "")
        separator = sniff_separator(first)
    if "\x00" in text:
        raise ImportFileError(_("This file is not a CSV text file. Save it as “CSV UTF-8”."))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        raise ImportFileError(
            _("This file is not a CSV text file. Save it as “CSV UTF-8”.")
        ) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportFileError(_("The file is empty, or its first line is not a header."))
    header = records[0]
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    group_positions: list[int] = []
    ignored: list[str] = []
    for index, heading in enumerate(header):
        key = loose_key(heading)
        name = HEADINGS.get(key)
        if name is None and GROUP_HEADING.match(key):
            group_positions.append(index)
            columns.setdefault("group", heading.strip())
            continue
        if name is None:
            if heading.strip():
                ignored.append(heading.strip())
            continue
        if name in positions:
            raise ImportFileError(
                _(
                    "Two columns hold the same information: “%(first)s” and “%(second)s”. "
                    "Keep only one of them.",
                    first=columns[name],
                    second=heading.strip(),
                )
            )
        positions[name] = index
        columns[name] = heading.strip()
    missing = []
    if "login" not in positions:
        missing.append(_("login name (username or identifiant)"))
    if not {"firstname", "lastname", "fullname"} & positions.keys():
        missing.append(_("first name and last name (firstname/lastname or prénom/nom)"))
    if missing:
        raise ImportFileError(
            _("The first line must name these columns: %(missing)s.", missing="; ".join(missing))
        )
    rows: list[Row] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line in the sheet
        cells = {
            name: _clean(record[pos]) if pos < len(record) else ""
            for name, pos in positions.items()
        }
        groups = tuple(
            _clean(record[pos])
            for pos in group_positions
            if pos < len(record) and record[pos].strip()
        )
        rows.append(Row(number, cells, groups))
    if not rows:
        raise ImportFileError(_("The file has its header line but no learner below it."))
    if len(rows) > MAX_LINES:
        raise ImportFileError(
            _(
                "The file has %(count)s lines; at most %(limit)s people can be imported at once. "
                "Split it into several files.",
                count=len(rows),
                limit=MAX_LINES,
            )
        )
    return Table(encoding, separator, columns, tuple(ignored), tuple(rows))


def _clean(cell: str) -> str:
    return " ".join(unicodedata.normalize("NFC", cell).split())
