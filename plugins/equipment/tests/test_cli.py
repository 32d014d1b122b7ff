"""``declic equipment import`` and ``declic equipment stock``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import main
from core.testing import Kit
from plugins.equipment.models import Asset
from plugins.equipment.tests.conftest import Shop


@pytest.fixture
def cli_env(declic: Kit, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = declic.state.settings
    monkeypatch.setenv("DECLIC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DECLIC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DECLIC_SECRET_KEY", settings.secret_key)


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "livraison.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_all_or_nothing_then_valid_only(
    cli_env: None, declic: Kit, shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path, "étiquette;série;grade\nPC-1;S1;A\nPC-2;S1;B\nPC-3;S3;Q\nPC-4;S4;C\n", "cp1252"
    )
    assert main(["equipment", "import", "--org", shop.org.slug, str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 3:" in err and "line 4:" in err and "nothing imported" in err
    assert declic.count(Asset) == 0
    assert main(["equipment", "import", "--org", shop.org.slug, "--valid-only", str(path)]) == 0
    assert "Imported 2 assets" in capsys.readouterr().out
    assert declic.count(Asset) == 2
    assert main(["equipment", "import", "--org", "nowhere", str(path)]) == 2


def test_stock_as_json(cli_env: None, declic: Kit, shop: Shop, tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "tag,serial\nA-1,1\nA-2,2\nA-3,3\n")
    assert main(["equipment", "import", "--org", shop.org.slug, str(path)]) == 0
    capsys.readouterr()
    assert main(["equipment", "stock", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "organisation": shop.org.slug,
            "available": 3,
            "on_loan": 0,
            "given": 0,
            "in_repair": 0,
            "to_check": 0,
            "retired": 0,
            "lost": 0,
        }
    ]
