"""CSV import as refurbishers deliver it: encodings, separators, mapping, line-numbered errors,
all-or-nothing unless the admin imports the valid rows only."""

from __future__ import annotations

import base64
import re

from core import i18n
from core.testing import Kit
from plugins.equipment import csv_import
from plugins.equipment.models import Asset, Event
from plugins.equipment.tests.conftest import Shop, add_laptops

HEADER = "N° inventaire;N° de série;Type;Marque;Modèle;Processeur;RAM;Grade;Date d'effacement;Test;Fin de garantie\n"


def laptops_csv(count: int, start: int = 1) -> str:
    rows = [
        f"PC-{i:03d};SN{i:05d};Portable;Lenovo;ThinkPad T470;i5-7300U;8 Go;{'ABC'[i % 3]};0{1 + i % 9}/03/2026;OK;2027-03-01"
        for i in range(start, start + count)
    ]
    return HEADER + "\n".join(rows) + "\n"


def check(text: str, tags=(), serials=()):
    parsed = csv_import.parse(text)
    return csv_import.validate(parsed, csv_import.guess_mapping(parsed.headers), tags, serials)


def test_mapping_is_guessed_from_french_headers() -> None:
    parsed = csv_import.parse(laptops_csv(2))
    mapping = csv_import.guess_mapping(parsed.headers)
    assert parsed.delimiter == ";"
    assert mapping["tag"] == 0 and mapping["serial"] == 1 and mapping["kind"] == 2
    assert mapping["grade"] == 7 and mapping["erasure_date"] == 8 and mapping["warranty_end"] == 10
    result = check(laptops_csv(2))
    assert [r.ok for r in result.rows] == [True, True]
    first = result.rows[0].values
    assert (
        first["kind"] == "laptop"
        and first["test_result"] == "passed"
        and first["erasure_date"].month == 3
    )


def test_errors_carry_the_file_line_numbers() -> None:
    i18n.set_language("en")
    text = (
        "tag,serial,kind,grade,erasure_date,warranty_end\n"
        "PC-1,S1,laptop,A,2026-01-02,\n"  # line 2 ok
        "PC-2,S2,laptop,E,2026-01-02,\n"  # line 3 bad grade
        "PC-1,S3,laptop,B,,\n"  # line 4 duplicate tag of line 2
        "PC-4,S1,laptop,B,,\n"  # line 5 duplicate serial of line 2
        "\n"
        "PC-6,S6,laptop,C,31/02/2026,\n"  # line 7 bad date (blank line 6 skipped)
        "PC-7,S7,toaster,C,,soon\n"  # line 8 bad kind and bad date
        "PC-OLD,S8,laptop,A,,\n"  # line 9 tag already in the stock
        ",S9,laptop,A,,\n"  # line 10 no tag
    )
    result = check(text, tags=["pc-old"], serials=[])
    rejected = {r.line: r.errors for r in result.rejected}
    assert sorted(rejected) == [3, 4, 5, 7, 8, 9, 10]
    assert "grade" in rejected[3][0]
    assert "line 2" in rejected[4][0] and "line 2" in rejected[5][0]
    assert len(rejected[8]) == 2
    assert [r.line for r in result.valid] == [2]


def test_encodings_and_separators() -> None:
    text = "tag;marque;modèle\nPC-1;Hewlett-Packard;EliteBook ‘840’\n"
    bom, enc = csv_import.decode(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert enc == "utf-8-sig" and bom == text
    win, enc = csv_import.decode(
        "tag;marque;modèle\nPC-1;Société Générale;Écran\n".encode("cp1252")
    )
    assert enc == "cp1252" and "Société" in win
    parsed = csv_import.parse(win)
    result = csv_import.validate(parsed, csv_import.guess_mapping(parsed.headers), [], [])
    assert result.rows[0].values["make"] == "Société Générale"
    comma = csv_import.parse('tag,model\nPC-1,"Latitude, E7450"\n')
    assert comma.delimiter == "," and comma.rows == [(2, ["PC-1", "Latitude, E7450"])]


def upload(declic: Kit, client, shop: Shop, text: str, encoding: str = "utf-8"):
    return client.post(
        shop.url("/import/preview"),
        data={"csrf_token": declic.csrf(client)},
        files={"file": ("livraison.csv", text.encode(encoding), "text/csv")},
    )


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


def mapping_fields(html: str) -> dict[str, str]:
    fields = {}
    for name, block in re.findall(r'name="(map_[a-z_]+)">(.*?)</select>', html, flags=re.S):
        chosen = re.search(r'<option value="(\d+)" selected', block)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


def run_import(declic: Kit, client, shop: Shop, preview_html: str, **extra: str):
    data = {
        "data": hidden(preview_html, "data"),
        "encoding": hidden(preview_html, "encoding"),
        **mapping_fields(preview_html),
    }
    data.update(extra)
    return declic.post(client, shop.url("/import/run"), data)


def test_import_thirty_laptops(declic: Kit, shop: Shop) -> None:
    admin = declic.client(shop.admin)
    preview = upload(declic, admin, shop, laptops_csv(30), "cp1252")
    assert preview.status_code == 200
    assert "30" in preview.text and "PC-001" in preview.text
    done = run_import(declic, admin, shop, preview.text)
    assert done.status_code == 200, done.text
    assert declic.count(Asset) == 30
    with declic.db() as db:
        asset = db.query(Asset).filter_by(tag="PC-007").one()
        assert (
            asset.serial == "SN00007"
            and asset.model == "ThinkPad T470"
            and asset.status_label.role == "available"
        )
        assert db.query(Event).filter_by(action="imported").count() == 30


def test_file_with_errors_imports_nothing_unless_valid_rows_are_chosen(
    declic: Kit, shop: Shop
) -> None:
    add_laptops(declic, shop.org, 1, prefix="PC")  # PC-001 / PCSN1 already in the stock
    text = laptops_csv(5) + "PC-900;SN00002;Portable;Dell;E7450;i5;8 Go;Z;99/99/2026;OK;\n"
    admin = declic.client(shop.admin)
    preview = upload(declic, admin, shop, text)
    assert preview.status_code == 200
    assert "Line 2" in preview.text or "Ligne 2" in preview.text  # PC-001 already in the stock
    assert re.search(r"(Line|Ligne) 7", preview.text)  # serial duplicate, grade and date
    refused = run_import(declic, admin, shop, preview.text)
    assert refused.status_code == 400
    assert declic.count(Asset) == 1
    done = run_import(declic, admin, shop, preview.text, valid_only="yes")
    assert done.status_code == 200
    assert declic.count(Asset) == 1 + 4


def test_bad_files_are_refused_with_a_message(declic: Kit, shop: Shop) -> None:
    admin = declic.client(shop.admin)
    assert upload(declic, admin, shop, "").status_code == 400
    no_file = declic.post(admin, shop.url("/import/preview"), {})
    assert no_file.status_code == 400
    tampered = declic.post(admin, shop.url("/import/run"), {"data": "not base64!", "map_tag": "0"})
    assert tampered.status_code == 400
    unmapped = declic.post(
        admin,
        shop.url("/import/run"),
        {"data": base64.b64encode(b"a;b\n1;2\n").decode(), "map_tag": ""},
    )
    assert unmapped.status_code == 400
    assert declic.count(Asset) == 0


def test_label_sheet_holds_every_tag(declic: Kit, shop: Shop) -> None:
    import io

    from pypdf import PdfReader

    add_laptops(declic, shop.org, 30)
    response = declic.client(shop.admin).get(shop.url("/labels.pdf"))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2  # 24 labels a sheet
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(f"PC-{i:03d}" in text for i in range(1, 31))
    assert len(reader.pages[0].images) == 24  # one QR code per label


def test_mapping_step_lets_the_admin_choose_the_columns(declic: Kit, shop: Shop) -> None:
    admin = declic.client(shop.admin)
    preview = upload(
        declic, admin, shop, "Code X;Numéro fabricant;Libellé\nL-1;F-1;Dell\nL-2;F-2;HP\n"
    )
    assert preview.status_code == 200
    assert mapping_fields(preview.text)["map_tag"] == ""  # "Code X" means nothing to the guess
    assert declic.count(Asset) == 0
    data = {"data": hidden(preview.text, "data"), "encoding": hidden(preview.text, "encoding")}
    remapped = declic.post(
        admin,
        shop.url("/import/preview"),
        {**data, "map_tag": "0", "map_serial": "1", "map_make": "2"},
    )
    assert remapped.status_code == 200
    assert mapping_fields(remapped.text)["map_tag"] == "0"
    assert declic.count(Asset) == 0  # a preview never writes
    done = declic.post(
        admin, shop.url("/import/run"), {**data, "map_tag": "0", "map_serial": "1", "map_make": "2"}
    )
    assert done.status_code == 200
    with declic.db() as db:
        assert sorted((a.tag, a.serial, a.make) for a in db.query(Asset)) == [
            ("L-1", "F-1", "Dell"),
            ("L-2", "F-2", "HP"),
        ]


def test_labels_of_the_delivery_just_imported(declic: Kit, shop: Shop) -> None:
    import io

    from pypdf import PdfReader

    add_laptops(declic, shop.org, 2, prefix="OLD")
    admin = declic.client(shop.admin)
    preview = upload(declic, admin, shop, laptops_csv(3))
    done = run_import(declic, admin, shop, preview.text)
    link = re.search(r'id="labels-link" href="([^"]+)"', done.text).group(1).replace("&amp;", "&")
    text = PdfReader(io.BytesIO(admin.get(link).content)).pages[0].extract_text()
    assert "PC-001" in text and "PC-003" in text and "OLD-001" not in text
    assert admin.get(shop.url("/labels.pdf?ids=1,x")).status_code == 400
