"""Two plugins may translate the same English text differently: each gets its own."""

from __future__ import annotations

from pathlib import Path

from jinja2 import DictLoader, Environment

from core import i18n

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

msgid "Status"
msgstr "{status}"

msgid "Check in"
msgstr "{checkin}"
"""


def _write(root: Path, domain: str, status: str, checkin: str) -> Path:
    folder = root / domain / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / f"{domain}.po").write_text(
        PO.format(status=status, checkin=checkin), encoding="utf-8"
    )
    return root / domain


def test_each_domain_answers_its_own_strings_first(tmp_path):
    alpha = _write(tmp_path, "alpha", "Statut", "Arrivée")
    beta = _write(tmp_path, "beta", "État", "Retour")
    try:
        i18n.load_catalogues(
            [("core", i18n.CORE_LOCALE_DIR), ("alpha", alpha), ("beta", beta)], ["fr"]
        )
        i18n.set_language("fr")
        token = i18n.set_domain("alpha")
        assert i18n.gettext("Check in") == "Arrivée"
        i18n.reset_domain(token)
        token = i18n.set_domain("beta")
        assert i18n.gettext("Check in") == "Retour"
        i18n.reset_domain(token)

        env = Environment(
            loader=DictLoader(
                {"alpha/page.html": "{{ _('Status') }}", "beta/page.html": "{{ _('Status') }}"}
            ),
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_callables(i18n.template_gettext, i18n.template_ngettext, newstyle=True)
        assert env.get_template("alpha/page.html").render() == "Statut"
        assert env.get_template("beta/page.html").render() == "État"
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
