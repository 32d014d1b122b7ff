"""Reading the asset list a refurbisher delivers as CSV: decoding, column mapping, validation.

Pure functions (no database): the view passes the tags and serials the organisation already has.
Files come from spreadsheets: UTF-8 with or without BOM, or Windows-1252; separated by ';' (the
French Excel default) or ','. Line numbers are the file's own (the header is line 1), so the
admin finds a rejected row in the file they hold.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from plugins.equipment.models import ASSET_KINDS, GRADES

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# Field → label shown in the mapping step. "tag" is the only required one.
FIELDS: tuple[tuple[str, Any], ...] = (
    ("tag", _l("Asset tag")),
    ("serial", _l("Serial number")),
    ("kind", _l("Kind")),
    ("make", _l("Make")),
    ("model", _l("Model")),
    ("cpu", _l("Processor")),
    ("ram", _l("Memory (RAM)")),
    ("storage", _l("Storage")),
    ("screen", _l("Screen")),
    ("os", _l("Operating system")),
    ("grade", _l("Cosmetic grade")),
    ("erasure_method", _l("Erasure method")),
    ("erasure_date", _l("Erasure date")),
    ("erasure_operator", _l("Erasure operator")),
    ("test_result", _l("Functional test")),
    ("warranty_end", _l("Warranty end")),
    ("source_name", _l("Refurbisher or donor")),
    ("delivery_ref", _l("Delivery reference")),
    ("notes", _l("Notes")),
)
FIELD_NAMES = tuple(name for name, _label in FIELDS)
REQUIRED = ("tag",)

# Header words seen in refurbishers' files (French and English), normalised (see _norm).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "tag": (
        "tag",
        "assettag",
        "etiquette",
        "numeroinventaire",
        "inventaire",
        "ndinventaire",
        "ninventaire",
        "reference",
        "ref",
    ),
    "serial": ("serial", "serialnumber", "numerodeserie", "nserie", "ndeserie", "sn", "serie"),
    "kind": ("kind", "type", "categorie", "category"),
    "make": ("make", "marque", "brand", "fabricant", "manufacturer"),
    "model": ("model", "modele"),
    "cpu": ("cpu", "processeur", "processor"),
    "ram": ("ram", "memoire", "memory", "memoirevive"),
    "storage": ("storage", "disque", "disk", "stockage", "hdd", "ssd"),
    "screen": ("screen", "ecran", "display", "taille ecran", "tailleecran"),
    "os": ("os", "systeme", "systemedexploitation", "operatingsystem"),
    "grade": ("grade", "gradeesthetique", "etat", "cosmeticgrade"),
    "erasure_method": ("erasuremethod", "methodedeffacement", "effacement", "methodeeffacement"),
    "erasure_date": ("erasuredate", "datedeffacement", "dateeffacement"),
    "erasure_operator": ("erasureoperator", "operateur", "operateureffacement", "technicien"),
    "test_result": ("testresult", "test", "testfonctionnel", "resultattest"),
    "warranty_end": ("warrantyend", "garantie", "findegarantie", "fingarantie", "warranty"),
    "source_name": ("source", "sourcename", "reconditionneur", "donateur", "refurbisher", "donor"),
    "delivery_ref": ("deliveryref", "bondelivraison", "livraison", "delivery", "bl"),
    "notes": ("notes", "remarques", "commentaire", "commentaires", "note"),
}

KIND_WORDS = {
    "laptop": ("laptop", "portable", "ordinateurportable", "pcportable", "notebook"),
    "desktop": ("desktop", "fixe", "tour", "pcfixe", "unitecentrale", "ordinateurfixe"),
    "screen": ("screen", "ecran", "moniteur", "monitor"),
    "phone": ("phone", "telephone", "smartphone", "mobile"),
    "accessory": (
        "accessory",
        "accessoire",
        "souris",
        "mouse",
        "sacoche",
        "bag",
        "clavier",
        "keyboard",
        "chargeur",
    ),
}
TEST_WORDS = {
    "passed": ("passed", "ok", "pass", "reussi", "oui", "yes", "conforme", "fonctionnel"),
    "failed": ("failed", "fail", "echec", "non", "no", "ko", "nonconforme"),
    "not_tested": ("", "nottested", "nonteste", "na"),
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, size, no header)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParsedFile:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)
    delimiter: str
    encoding: str


@dataclass
class RowResult:
    line: int
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Validation:
    rows: list[RowResult]

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]


def _norm(text: str) -> str:
    """Lowercase, accents off, letters and digits only: "N° de série" → "ndeserie"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def decode(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding name): UTF-8 (BOM or not), else Windows-1252."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is too large (2 MB at most)."))
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def parse(text: str, encoding: str = "utf-8") -> ParsedFile:
    """Split the text into a header and numbered rows; the separator is ';' or ','."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ImportFileError(_("The file is empty or its first line (the column names) is blank."))
    first = lines[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(_("The first line (the column names) cannot be read.")) from exc
    rows: list[tuple[int, list[str]]] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, [c.strip() for c in cells]))
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_("The file has more than %(n)s rows: split it.", n=MAX_ROWS))
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)s cannot be read: %(error)s", line=start, error=str(exc))
        ) from exc
    return ParsedFile(headers=headers, rows=rows, delimiter=delimiter, encoding=encoding)


def guess_mapping(headers: Sequence[str]) -> dict[str, int | None]:
    """Field → column index (or None), from the header words."""
    normalised = [_norm(h) for h in headers]
    mapping: dict[str, int | None] = {}
    used: set[int] = set()
    for name in FIELD_NAMES:
        mapping[name] = None
        for index, header in enumerate(normalised):
            if index not in used and (header == _norm(name) or header in SYNONYMS.get(name, ())):
                mapping[name] = index
                used.add(index)
                break
    return mapping


def parse_date(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _word(text: str, table: Mapping[str, tuple[str, ...]]) -> str | None:
    key = _norm(text)
    for value, words in table.items():
        if key in words:
            return value
    return None


def validate(
    parsed: ParsedFile,
    mapping: Mapping[str, int | None],
    existing_tags: Iterable[str],
    existing_serials: Iterable[str],
) -> Validation:
    """Check every row; a row with any problem is rejected with all its reasons.

    Tags and serials are compared without regard to case or surrounding spaces, against the
    organisation's stock and against the rows above in the same file.
    """
    taken_tags = {t.strip().lower() for t in existing_tags}
    taken_serials = {s.strip().lower() for s in existing_serials if s}
    seen_tags: dict[str, int] = {}
    seen_serials: dict[str, int] = {}
    results: list[RowResult] = []
    for line, cells in parsed.rows:

        def cell(name: str, cells: list[str] = cells) -> str:
            index = mapping.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        errors: list[str] = []
        values: dict[str, Any] = {}
        tag = cell("tag")
        if not tag:
            errors.append(_("the asset tag is missing"))
        elif len(tag) > 64:
            errors.append(_("the asset tag is longer than 64 characters"))
        elif tag.lower() in taken_tags:
            errors.append(_("asset tag %(tag)s is already in the stock", tag=tag))
        elif tag.lower() in seen_tags:
            errors.append(
                _(
                    "asset tag %(tag)s already on line %(line)s",
                    tag=tag,
                    line=seen_tags[tag.lower()],
                )
            )
        values["tag"] = tag
        serial = cell("serial")
        if serial:
            if serial.lower() in taken_serials:
                errors.append(_("serial number %(s)s is already in the stock", s=serial))
            elif serial.lower() in seen_serials:
                errors.append(
                    _(
                        "serial number %(s)s already on line %(line)s",
                        s=serial,
                        line=seen_serials[serial.lower()],
                    )
                )
        values["serial"] = serial or None
        kind_text = cell("kind")
        kind = _word(kind_text, KIND_WORDS) if kind_text else "laptop"
        if kind is None or kind not in ASSET_KINDS:
            errors.append(
                _("unknown kind “%(k)s” (laptop, desktop, screen, phone or accessory)", k=kind_text)
            )
        values["kind"] = kind or "laptop"
        grade = cell("grade").upper()
        if grade and grade not in GRADES:
            errors.append(_("cosmetic grade “%(g)s” is not A, B or C", g=cell("grade")))
        values["grade"] = grade or None
        for name in ("erasure_date", "warranty_end"):
            text = cell(name)
            try:
                values[name] = parse_date(text) if text else None
            except ValueError:
                label = _("erasure date") if name == "erasure_date" else _("warranty end")
                errors.append(
                    _(
                        "%(field)s “%(v)s” is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                        field=label,
                        v=text,
                    )
                )
                values[name] = None
        test = _word(cell("test_result"), TEST_WORDS)
        if test is None:
            errors.append(
                _("functional test “%(t)s” is not passed, failed or empty", t=cell("test_result"))
            )
        values["test_result"] = test or "not_tested"
        limits = {
            "make": 100,
            "model": 100,
            "cpu": 100,
            "ram": 50,
            "storage": 50,
            "screen": 50,
            "os": 100,
            "erasure_method": 100,
            "erasure_operator": 100,
            "source_name": 200,
            "delivery_ref": 100,
        }
        for name, limit in limits.items():
            text = cell(name)
            if len(text) > limit:
                errors.append(_("%(field)s is longer than %(n)s characters", field=name, n=limit))
            values[name] = text[:limit]
        values["notes"] = cell("notes")
        if tag and tag.lower() not in seen_tags:
            seen_tags[tag.lower()] = line
        if serial and serial.lower() not in seen_serials:
            seen_serials[serial.lower()] = line
        results.append(RowResult(line=line, values=values, errors=errors))
    return Validation(rows=results)
