"""The plugin's own tests, written the way any plugin author writes them: with Déclic's test kit
(``core.testing``, loaded by pytest through its entry point)."""

from __future__ import annotations

from declic_joblinks.models import JobLink

from core.testing import assert_plugin_contract


def test_the_page_lists_the_organisations_links(declic):
    org = declic.org()
    declic.enable(org, "joblinks")
    page = declic.client(declic.user(org, "learner")).get(f"/o/{org.slug}/joblinks/")
    assert page.status_code == 200
    assert "France Travail" in page.text


def test_an_address_without_https_is_refused_next_to_the_field(declic):
    org = declic.org()
    declic.enable(org, "joblinks")
    admin = declic.client(declic.user(org, "admin"))
    answer = declic.post(
        admin, f"/o/{org.slug}/joblinks/manage", {"title": "Site", "url": "www.x.fr"}
    )
    assert answer.status_code == 400
    assert 'aria-invalid="true"' in answer.text
    assert declic.count(JobLink, title="Site") == 0


def test_another_organisations_link_is_not_found(declic):
    org_a, org_b = declic.org(), declic.org()
    declic.enable(org_a, "joblinks")
    declic.enable(org_b, "joblinks")
    with declic.db() as db:
        from sqlalchemy import select

        link_id = db.scalar(select(JobLink.id).where(JobLink.organisation_id == org_a.id).limit(1))
    admin_b = declic.client(declic.user(org_b, "admin"))
    assert admin_b.get(f"/o/{org_b.slug}/joblinks/{link_id}/edit").status_code == 404
    assert declic.post(admin_b, f"/o/{org_b.slug}/joblinks/{link_id}/remove").status_code == 404
    assert declic.count(JobLink, id=link_id) == 1


def test_the_plugin_holds_to_the_contract(declic):
    assert_plugin_contract(declic, "joblinks")
