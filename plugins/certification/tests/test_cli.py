"""``declic certification check``: a framework file is validated from the command line."""

from __future__ import annotations

import json

from core.cli import main

GOOD = """\
id: clic
title: "Clic'Emploi"
source: "Association"
max_level: 2
rule: {type: share_per_domain, share: 0.5}
domains:
  - code: A
    title: "Démarches"
    competences:
      - {code: A1, title: "Créer un compte", rests_on: ["crcn:2.4@1"]}
"""


def test_check_accepts_a_good_file_and_names_the_line_of_a_bad_one(
    tmp_path, capsys, english
) -> None:
    good = tmp_path / "clic.yaml"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        GOOD.replace("id: clic", "id: other").replace("crcn:2.4@1", "crcn:2.4@12"), encoding="utf-8"
    )
    assert main(["certification", "check", str(good)]) == 0
    assert capsys.readouterr().out.strip() == f"{good}: OK"
    assert main(["certification", "check", "--json", str(good), str(bad)]) == 1
    results = json.loads(capsys.readouterr().out)
    assert results[0]["ok"] and results[0]["frameworks"] == ["clic"]
    assert results[1] == {
        "file": str(bad),
        "ok": False,
        "line": 10,
        "reason": "level 12 is above the top level of crcn",
    }
