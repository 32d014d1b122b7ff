"""The audit log: the organisation's own events, newest first, 50 a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.models import AuditEvent


def test_audit_log_is_paginated_newest_first_and_scoped(declic):
    org, other = declic.org("assoc"), declic.org("other")
    admin = declic.user(org, "admin")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with declic.db() as db:
        for i in range(120):
            db.add(
                AuditEvent(
                    organisation_id=org.id,
                    action=f"test.event{i:03d}",
                    created_at=start + timedelta(minutes=i),
                )
            )
        db.add(
            AuditEvent(
                organisation_id=other.id,
                action="secret.other",
                created_at=start + timedelta(days=1),
            )
        )
    client = declic.client(admin)
    first = client.get("/o/assoc/admin/audit")
    assert first.status_code == 200
    assert first.text.count("test.event") == 50
    assert "test.event119" in first.text and "test.event070" in first.text
    assert first.text.index("test.event119") < first.text.index("test.event118")
    assert "test.event069" not in first.text
    assert "secret.other" not in first.text
    third = client.get("/o/assoc/admin/audit?page=3")
    assert third.text.count("test.event") == 20
    assert "test.event000" in third.text
    assert 'rel="next"' not in third.text
    assert declic.client(admin).get("/o/assoc/admin/audit?page=zzz").status_code == 200


def test_trainers_cannot_read_the_audit_log(declic):
    org = declic.org("assoc")
    trainer = declic.user(org, "trainer")
    assert declic.client(trainer).get("/o/assoc/admin/audit").status_code == 403


def test_platform_audit_shows_every_organisation(declic):
    org, other = declic.org("assoc"), declic.org("other")
    with declic.db() as db:
        db.add(AuditEvent(organisation_id=org.id, action="a.one"))
        db.add(AuditEvent(organisation_id=other.id, action="b.two"))
    root = declic.user(None, is_platform_admin=True)
    page = declic.client(root).get("/admin/audit")
    assert "a.one" in page.text and "b.two" in page.text
