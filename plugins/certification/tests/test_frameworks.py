"""The framework files: the built-in ones load with their documented shape; malformed files are
rejected with the file, the line and the reason; tags resolve or are reported."""

from __future__ import annotations

import pytest

from plugins.certification.catalogue import FrameworkError, UnknownTagError
from plugins.certification.framework_files import check_framework_file, load_catalogue

ORG_FILE = """\
# Our association's own grid
id: clic
title: "Clic'Emploi skills"
source: "Association Navigateur, 2026"
max_level: 3
rule: {type: share_per_domain, share: 0.5}
domains:
  - code: A
    title: "Admin online"
    competences:
      - code: A1
        title: "Create an account on France Travail"
        rests_on: ["crcn:2.4@1"]
      - code: A2
        title: "Download a certificate"
"""


def test_crcn_has_5_domains_16_competences_levels_1_to_8() -> None:
    crcn = load_catalogue().frameworks["crcn"]
    assert len(crcn.domains) == 5
    assert len(crcn.competences) == 16
    assert crcn.max_level == 8
    assert crcn.domains[0].title == "Informations et données"
    assert crcn.rule.type == "count_at_level" and (crcn.rule.count, crcn.rule.level) == (5, 1)
    assert "2019-919" in crcn.source


def test_b2i_has_5_domains_and_the_70_percent_rule() -> None:
    b2i = load_catalogue().frameworks["b2i"]
    assert [d.code for d in b2i.domains] == ["D1", "D2", "D3", "D4", "D5"]
    assert b2i.rule.type == "share_per_domain" and b2i.rule.share == 0.7
    assert "2010-065" in b2i.source
    comp = load_catalogue().competence("b2i:D1.4")
    assert comp is not None and comp.title == "Se connecter sur un réseau"


def test_pcie_modules_have_36_questions_45_minutes_75_percent() -> None:
    pcie = load_catalogue().frameworks["pcie"]
    assert (pcie.rule.questions, pcie.rule.minutes, pcie.rule.pass_mark) == (36, 45, 0.75)
    base = {c.code for c in pcie.domains[0].competences}
    assert base == {"CE", "OE", "WP", "SS"}
    assert len(pcie.competences) == 9


def test_mapping_attaches_crcn_requirements() -> None:
    catalogue = load_catalogue()
    every = [c for fw in ("b2i", "pcie") for c in catalogue.frameworks[fw].competences]
    assert all(c.rests_on for c in every), "every B2i competence and PCIE module rests on CRCN"
    wp = catalogue.competence("pcie:WP")
    assert wp is not None and [(r.key, r.level) for r in wp.rests_on] == [
        ("crcn:3.1", 2),
        ("crcn:3.3", 2),
    ]


def test_workshops_cover_known_codes() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.workshops) == 4
    assert catalogue.workshops[0].codes == ("crcn:5.2", "crcn:1.2", "b2i:D1", "pcie:CE")


def test_an_organisation_file_adds_a_framework() -> None:
    catalogue = check_framework_file(ORG_FILE, "clic.yaml")
    assert catalogue.frameworks["clic"].built_in is False
    a1 = catalogue.competence("clic:A1")
    assert a1 is not None and a1.rests_on[0].key == "crcn:2.4"
    assert catalogue.resolve_tag("clic:A2@3").difficulty == 3


@pytest.mark.parametrize(
    ("change", "line", "reason"),
    [
        (("max_level: 3", "max_level: 12"), 5, "“max_level” must be between 1 and 8"),
        (("max_level: 3", "max_level: three"), 5, "“max_level” must be a whole number"),
        (('        title: "Download a certificate"\n', ""), 14, "“title” is missing"),
        (("code: A2", "code: A1"), 14, "code “A1” is already used on line 11"),
        (("share: 0.5", "share: 5"), 6, "“share” must be between 0.01 and 1.0"),
        (("type: share_per_domain", "type: majority"), 6, "rule type “majority” is not one of"),
        (('["crcn:2.4@1"]', '["crcn:9.9@1"]'), 13, "“crcn:9.9” names no competence"),
        (('["crcn:2.4@1"]', '["crcn:2.4"]'), 13, "must look like crcn:5.2@1"),
        (('["crcn:2.4@1"]', '["crcn:2.4@9"]'), 13, "level 9 is above the top level of crcn"),
        (("id: clic", "id: Clic Emploi"), 2, "“id” must be lower-case letters"),
        (("id: clic", "id: crcn"), 2, "a framework with id “crcn” already exists"),
        (('source: "Association Navigateur, 2026"\n', ""), 2, "“source” is missing"),
        (('title: "Clic\'Emploi skills"', "title: [unclosed"), 4, "not valid YAML"),
        (("max_level: 3\n", "max_level: 3\nmax_level: 4\n"), 6, "“max_level” is given twice"),
    ],
)
def test_a_malformed_file_is_rejected_with_line_and_reason(
    change: tuple[str, str], line: int, reason: str, english: None
) -> None:
    old, new = change
    assert old in ORG_FILE
    with pytest.raises(FrameworkError) as caught:
        check_framework_file(ORG_FILE.replace(old, new, 1), "clic.yaml")
    assert caught.value.source == "clic.yaml"
    assert caught.value.line == line, str(caught.value)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"clic.yaml, line {line}: ")


def test_a_file_that_is_not_a_mapping_is_rejected(english: None) -> None:
    with pytest.raises(FrameworkError, match="line 1: the file must be a mapping"):
        check_framework_file("- just\n- a list\n", "list.yaml")


def test_tags_resolve_with_their_difficulty() -> None:
    catalogue = load_catalogue()
    assert catalogue.resolve_tag("crcn:1.1").key == "crcn:1.1"
    assert catalogue.resolve_tag("crcn:1.1").difficulty == 1
    assert catalogue.resolve_tag("crcn:3.1@4").difficulty == 4
    assert catalogue.resolve_tag("b2i:D1").key == "b2i:D1"  # a domain is a valid tag
    assert catalogue.resolve_tag("pcie:CE").key == "pcie:CE"
    assert catalogue.resolve_tag("theme:email") is None  # not a framework's namespace
    assert catalogue.resolve_tag("easy") is None


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("crcn:9.9", "unknown_code"),
        ("b2i:D9", "unknown_code"),
        ("crcn:1.1@9", "bad_level"),
        ("crcn:1.1@x", "bad_level"),
    ],
)
def test_a_tag_naming_nothing_in_a_framework_is_an_error(tag: str, reason: str) -> None:
    with pytest.raises(UnknownTagError) as caught:
        load_catalogue().resolve_tag(tag)
    assert caught.value.reason == reason
