"""``declic quiz import`` and ``declic quiz export``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.cli import main
from core.testing import Kit
from plugins.quiz.models import Question, QuestionCategory, QuestionTag, QuestionVersion
from plugins.quiz.tests.interop_helpers import snapshot

GIFT = """\
$CATEGORY: $course$/top/Atelier 1
// [tag:crcn:1.1]
::Souris::La souris sert à pointer.{T}

::Clavier::Combien de touches ? {#105:5}

::Trop::Lesquels ? {~%150%a ~%-50%b}
"""


@pytest.fixture
def cli_env(declic: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = declic.state.settings
    monkeypatch.setenv("DECLIC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DECLIC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DECLIC_SECRET_KEY", settings.secret_key)


@pytest.fixture
def orgs(declic: Kit) -> tuple[Any, Any]:
    a, b = declic.org("assoc-a"), declic.org("assoc-b")
    declic.enable(a, "quiz")
    declic.enable(b, "quiz")
    return a, b


def counts(declic: Kit) -> tuple[int, ...]:
    return tuple(
        declic.count(model) for model in (Question, QuestionVersion, QuestionCategory, QuestionTag)
    )


def test_dry_run_writes_nothing(
    cli_env: None, declic: Kit, orgs: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    code = main(["quiz", "import", str(path), "--org", "assoc-a", "--dry-run", "--valid-only"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Would import 2 questions into assoc-a: 1 truefalse, 1 numerical." in out
    assert "rejected line 7 “Trop”: A weight of 150 % is over 100 %." in out
    assert counts(declic) == (0, 0, 0, 0)


def test_all_or_nothing_then_valid_only(
    cli_env: None, declic: Kit, orgs: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.txt"
    path.write_text(GIFT, encoding="utf-8")
    assert main(["quiz", "import", str(path), "--org", "assoc-a"]) == 1
    assert "nothing imported" in capsys.readouterr().err
    assert counts(declic) == (0, 0, 0, 0)
    assert main(["quiz", "import", str(path), "--org", "assoc-a", "--valid-only"]) == 0
    assert "Imported 2 questions" in capsys.readouterr().out
    assert counts(declic) == (2, 2, 1, 1)


def test_json_shape(
    cli_env: None, declic: Kit, orgs: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    main(["quiz", "import", str(path), "--org", "assoc-a", "--json", "--dry-run"])
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {"kind": "created", "type": "truefalse", "count": 1},
        {"kind": "created", "type": "numerical", "count": 1},
        {
            "kind": "rejected",
            "where": "line 7",
            "question": "Trop",
            "reason": "A weight of 150 % is over 100 %.",
        },
    ]


def test_category_format_and_errors(
    cli_env: None, declic: Kit, orgs: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.data"
    path.write_text("::A::Vrai ? {T}\n", encoding="utf-8")
    args = ["quiz", "import", str(path), "--org", "assoc-a", "--format", "gift"]
    assert main([*args, "--category", "Mes  questions"]) == 0
    assert declic.count(QuestionCategory, name="Mes questions") == 1
    assert main(["quiz", "import", str(path), "--org", "nowhere"]) == 2
    assert main(["quiz", "import", str(tmp_path / "missing.gift"), "--org", "assoc-a"]) == 2
    big = tmp_path / "big.gift"
    big.write_bytes(b"// x\n" * (4 * 1024 * 1024))
    capsys.readouterr()
    assert main(["quiz", "import", str(big), "--org", "assoc-a"]) == 2
    assert "the largest file that can be imported is 10 MB" in capsys.readouterr().err


def test_export_then_import_elsewhere(
    cli_env: None,
    declic: Kit,
    orgs: Any,
    tmp_path: Path,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    a, b = orgs
    source = tmp_path / "bank.gift"
    source.write_text(GIFT, encoding="utf-8")
    main(["quiz", "import", str(source), "--org", "assoc-a", "--valid-only"])
    capsysbinary.readouterr()
    assert main(["quiz", "export", "--org", "assoc-a", "--format", "gift"]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert "::Souris::" in out and "// [tag:crcn:1.1]" in out
    exported = tmp_path / "out.xml"
    args = ["quiz", "export", "--org", "assoc-a", "--format", "xml", "-o", str(exported)]
    assert main([*args, "--category", "Atelier 1"]) == 0
    assert main(["quiz", "import", str(exported), "--org", "assoc-b"]) == 0
    assert snapshot(declic, b) == snapshot(declic, a)
    # Each organisation exports only its own bank.
    assert main(["quiz", "export", "--org", "assoc-b", "--format", "gift", "--category", "X"]) == 2
    c = declic.org("assoc-c")
    capsysbinary.readouterr()
    assert main(["quiz", "export", "--org", c.slug, "--format", "gift"]) == 0
    assert capsysbinary.readouterr().out == b""
