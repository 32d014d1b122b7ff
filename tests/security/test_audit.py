"""Security-relevant actions are in the audit log with who, when and where; an organisation's
admins read their organisation's log, platform admins read every organisation's."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from core.models import AuditEvent, Membership
from core.security_probe import World
from core.testing import Kit


def _events(declic: Kit, action: str, **where: Any) -> list[AuditEvent]:
    with declic.db() as db:
        stmt = select(AuditEvent).where(AuditEvent.action == action)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        rows = list(db.scalars(stmt))
        db.expunge_all()
    return rows


def _one(declic: Kit, action: str, actor: Any, org: Any) -> AuditEvent:
    rows = _events(declic, action, organisation_id=org.id if org else None)
    assert rows, f"no {action} event"
    event = rows[-1]
    assert event.actor_id == (actor.id if actor else None), action
    assert event.created_at is not None, action
    assert event.address == "testclient", f"{action}: where is missing"
    return event


def test_security_actions_are_audited_with_who_when_where(world: World, declic: Kit) -> None:
    org, slug = world.org_a, world.org_a.slug
    admin_user = world.users_a["admin"]
    admin = declic.client(admin_user)

    # A failed sign-in (no one signed in: the identifier tried is the target).
    visitor = declic.client()
    declic.post(visitor, "/login", {"identifier": "claire", "password": "wrong"})
    failed = _one(declic, "auth.signin_failed", None, None)
    assert failed.target == "claire"

    # A role change.
    with declic.db() as db:
        membership = db.scalars(
            select(Membership).where(
                Membership.organisation_id == org.id,
                Membership.user_id == world.users_a["learner"].id,
            )
        ).one()
        membership_id = membership.id
    page = admin.get(f"/o/{slug}/admin/members/{membership_id}").text
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields.pop("csrf_token", None)
    fields["role"] = "trainer"
    answer = declic.post(admin, f"/o/{slug}/admin/members/{membership_id}", fields)
    assert answer.status_code == 303, answer.text[:500]
    role = _one(declic, "member.edited", admin_user, org)
    assert '"role"' in role.detail and "trainer" in role.detail

    # A plugin switched off.
    plugin = sorted(declic.state.host.names)[0]
    answer = declic.post(
        admin, f"/o/{slug}/admin/plugins/{plugin}/switch", {"enabled": "0", "confirm": "1"}
    )
    assert answer.status_code in (200, 303)
    assert _one(declic, "plugin.disabled", admin_user, org).target == plugin
    declic.enable(org, plugin)

    # An export: every file handed out, whichever plugin serves it.
    downloads = [
        r
        for r in declic.state.extra["route_defs"]
        if r.plugin and r.path.endswith(".csv") and r.path.count("{") == 2
    ]
    assert downloads, "no CSV export route to try"
    route = downloads[0]
    url = route.path.replace("{org}", slug)
    url = re.sub(r"{[a-z_]+_id(?::int)?}", lambda m: _id_for(world, declic, m.group(0)), url)
    answer = admin.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    export = _one(declic, "file.downloaded", admin_user, org)
    assert export.target == route.name and url in export.detail

    # A deletion.
    answer = declic.post(admin, f"/o/{slug}/admin/courses/{world.course_a.id}/delete", {})
    assert answer.status_code in (200, 303)
    if answer.status_code == 303:
        _one(declic, "course.deleted", admin_user, org)


def _id_for(world: World, declic: Kit, param: str) -> str:
    from core.security_probe import a_row_ids

    if param.startswith("{course_id"):
        return str(world.course_a.id)
    base = param.strip("{}").split(":")[0][: -len("_id")]
    with declic.db() as db:
        ids = a_row_ids(db, world)
    table = next(t for t in ids if t == base or t.rsplit("_", 1)[-1].startswith(base))
    return str(ids[table][0])


def test_certificate_revocation_is_audited(world: World, declic: Kit) -> None:
    if "certification" not in declic.state.host.names:
        return
    slug = world.org_a.slug
    admin_user = world.users_a["admin"]
    admin = declic.client(admin_user)
    learner = world.users_a["learner"].id
    issued = declic.post(
        admin,
        f"/o/{slug}/certification/courses/{world.course_a.id}/learners/{learner}/issue",
        {"what": "course"},
    )
    assert issued.status_code == 303
    cert = re.search(r"/certificates/(\d+)", issued.headers["location"])
    assert cert
    answer = declic.post(
        admin,
        f"/o/{slug}/certification/certificates/{cert.group(1)}/revoke",
        {"reason": "Erreur de saisie"},
    )
    assert answer.status_code in (200, 303), answer.text[:300]
    _one(declic, "certification.revoke", admin_user, world.org_a)


def test_who_reads_which_log(world: World, declic: Kit) -> None:
    with declic.db() as db:
        db.add(AuditEvent(organisation_id=world.org_a.id, action="mark.a", target="only-in-a"))
        db.add(AuditEvent(organisation_id=world.org_b.id, action="mark.b", target="only-in-b"))
    admin_a = declic.client(world.users_a["admin"])
    page = admin_a.get(f"/o/{world.org_a.slug}/admin/audit")
    assert page.status_code == 200
    assert "only-in-a" in page.text and "only-in-b" not in page.text
    assert admin_a.get(f"/o/{world.org_b.slug}/admin/audit").status_code == 403
    assert admin_a.get("/admin/audit").status_code == 403
    trainer_a = declic.client(world.users_a["trainer"])
    assert trainer_a.get(f"/o/{world.org_a.slug}/admin/audit").status_code == 403
    platform = declic.user(None, "learner", login="platform", is_platform_admin=True)
    everything = declic.client(platform).get("/admin/audit")
    assert everything.status_code == 200
    assert "only-in-a" in everything.text and "only-in-b" in everything.text
