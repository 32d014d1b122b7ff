"""``declic user import``: JSON rows per line, codes for new learners only, exit status, dry run,
all-or-nothing or valid lines only, the same file twice, and files refused as a whole."""

from __future__ import annotations

import io
import json
import sys

import pytest

from core.auth import user_for_code
from core.cli import main
from core.models import AuditEvent, Enrolment, Group, GroupMember, LoginCode, Membership, User
from core.testing import TEST_SECRET

CSV = (
    "identifiant;prénom;nom;courriel;langue;groupe;rôle\r\n"
    "leila.m;Leïla;Mansour;;ar;Mardi;\r\n"
    "rene.l;René;Lévêque;rene@example.org;fr;Mardi;apprenant\r\n"
    "sophie.f;Sophie;Formatrice;;;Mardi;formatrice\r\n"
)


@pytest.fixture
def cli(declic, declic_settings, monkeypatch, capsys):
    """Run ``declic ARGS`` in-process against the test database: (code, stdout, stderr)."""
    monkeypatch.setenv("DECLIC_DATA_DIR", str(declic_settings.data_dir))
    monkeypatch.setenv("DECLIC_DATABASE_URL", declic_settings.database_url)
    monkeypatch.setenv("DECLIC_SECRET_KEY", declic_settings.secret_key)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def place(declic):
    org = declic.org(slug="nord", name="Association Nord")
    course = declic.course(org, title="Clic'Emploi")
    return org, course


def counts(declic) -> dict[str, int]:
    return {
        model.__name__: declic.count(model)
        for model in (User, Membership, Enrolment, Group, GroupMember, LoginCode)
    }


def write(tmp_path, text: str, encoding: str = "utf-8-sig"):
    path = tmp_path / "learners.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_prints_one_json_object_per_line_with_the_new_learners_codes(
    cli, declic, place, tmp_path
):
    _org, course = place
    code, out, err = cli(
        "user", "import", str(write(tmp_path, CSV)),
        "--org", "nord", "--course", str(course.id), "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [(r["line"], r["login"], r["status"]) for r in rows] == [
        (2, "leila.m", "created"),
        (3, "rene.l", "created"),
        (4, "sophie.f", "created"),
    ]
    assert "code" in rows[0] and "code" in rows[1] and "code" not in rows[2]
    with declic.db() as db:
        found = user_for_code(db, rows[0]["code"], TEST_SECRET)
        assert found is not None and found[1].display_name == "Leïla Mansour"
    assert declic.count(Enrolment, course_id=course.id) == 3
    assert declic.count(Group, course_id=course.id) == 1
    assert declic.count(AuditEvent, action="users.imported") == 1

    # The same file again: every line unchanged, nothing written, no new code.
    before = counts(declic)
    code, out, _err = cli(
        "user", "import", str(tmp_path / "learners.csv"), "--org", "nord",
        "--course", str(course.id), "--json",
    )  # fmt: skip
    assert code == 0
    assert [r["status"] for r in json.loads(out)] == ["unchanged"] * 3
    assert all("code" not in r for r in json.loads(out))
    assert counts(declic) == before


def test_windows_1252_with_commas_is_read(cli, declic, place, tmp_path):
    _org, course = place
    text = "Identifiant,Prénom,Nom\r\nfrancois.c,François,Côté\r\n"
    code, out, _err = cli(
        "user", "import", str(write(tmp_path, text, "cp1252")), "--org", "nord",
        "--course", str(course.id), "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)[0]["status"] == "created"
    assert declic.count(User, display_name="François Côté") == 1


def test_rejected_lines_write_nothing_unless_valid_only(cli, declic, place, tmp_path):
    _org, course = place
    text = CSV + "bad login;X;Y;;;;\r\nleila.m;Autre;Leila;;;;\r\n"
    path = write(tmp_path, text)
    before = counts(declic)
    code, out, err = cli(
        "user", "import", str(path), "--org", "nord", "--course", str(course.id), "--json"
    )
    assert code == 1
    assert "nothing was imported" in err
    rows = {r["line"]: r for r in json.loads(out)}
    assert rows[5]["status"] == "rejected" and "not valid" in rows[5]["reason"]
    assert rows[2]["status"] == rows[6]["status"] == "rejected"  # leila.m twice
    assert "also on line 6" in rows[2]["reason"]
    assert rows[3]["status"] == "skipped"
    assert counts(declic) == before

    code, out, _err = cli(
        "user", "import", str(path), "--org", "nord", "--course", str(course.id),
        "--json", "--valid-only",
    )  # fmt: skip
    assert code == 1  # some lines were still rejected
    statuses = {r["line"]: r["status"] for r in json.loads(out)}
    assert statuses == {2: "rejected", 3: "created", 4: "created", 5: "rejected", 6: "rejected"}
    assert declic.count(User) == before["User"] + 2


def test_dry_run_reports_and_writes_nothing(cli, declic, place, tmp_path):
    _org, course = place
    before = counts(declic)
    code, out, err = cli(
        "user", "import", str(write(tmp_path, CSV)), "--org", "nord",
        "--course", str(course.id), "--dry-run",
    )  # fmt: skip
    assert code == 0
    assert "dry run" in err
    assert "leila.m" in out and "created" in out
    assert counts(declic) == before


def test_a_login_of_another_organisation_is_rejected(cli, declic, place, tmp_path):
    _org, course = place
    other = declic.org(slug="sud")
    declic.user(other, "learner", login="leila.m")
    before = counts(declic)
    code, out, _err = cli(
        "user", "import", str(write(tmp_path, CSV)), "--org", "nord",
        "--course", str(course.id), "--json",
    )  # fmt: skip
    assert code == 1
    first = json.loads(out)[0]
    assert first["status"] == "rejected"
    assert "not a member of this organisation" in first["reason"]
    assert counts(declic) == before


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            b"login;nom\n" + b"a;b\n" * (5 * 1024 * 1024),
            (),
            "largest file that can be imported is 2 MB",
        ),
        (b"nom;prenom\nDupont;Jean\n", (), "login name"),
        (CSV.encode(), ("--org", "nowhere"), "no organisation has the slug 'nowhere'"),
        (CSV.encode(), ("--course", "999"), "has no course 999"),
    ],
)
def test_refused_as_a_whole_with_exit_status_2(
    cli, declic, place, tmp_path, content, args, message
):
    _org, course = place
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    options = {"--org": "nord", "--course": str(course.id)}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    before = counts(declic)
    code, _out, err = cli("user", "import", str(path), *[x for kv in options.items() for x in kv])
    assert code == 2
    assert message in err
    assert counts(declic) == before


def test_a_missing_file_is_refused(cli, place, tmp_path):
    _org, course = place
    code, _out, err = cli(
        "user", "import", str(tmp_path / "none.csv"), "--org", "nord", "--course", str(course.id)
    )
    assert code == 2 and "cannot read" in err
