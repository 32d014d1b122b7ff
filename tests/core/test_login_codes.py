"""Learners' login codes: the sheet, signing in with a code, revocation, and the sign-in
messages (unknown user and wrong password alike; a switched-off account only after the right
password)."""

from __future__ import annotations

import re

from core.auth import issue_login_code
from core.models import AuditEvent, LoginCode, User

CODE = re.compile(r'<strong lang="en">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>')


def _course_with_learners(declic, *names):
    org = declic.org("assoc")
    trainer = declic.user(org, "trainer", language="en")
    course = declic.course(org)
    declic.enrol(course, trainer, "trainer")
    learners = []
    for name in names:
        learner = declic.user(org, "learner", login=name.lower(), display_name=name)
        declic.enrol(course, learner)
        learners.append(learner)
    return org, course, declic.client(trainer), learners


def _print(declic, client, course, *users):
    response = declic.post(
        client,
        f"/o/assoc/admin/courses/{course.id}/login-codes/print",
        {"user_id": [str(u.id) for u in users]},
    )
    assert response.status_code == 200
    return response


def test_sheet_has_name_code_and_qr_code_to_the_sign_in_url(declic):
    _org, course, client, (amina, karim) = _course_with_learners(declic, "Amina", "Karim")
    sheet = _print(declic, client, course, amina, karim)
    codes = CODE.findall(sheet.text)
    assert len(codes) == 2
    assert "Amina" in sheet.text and "Karim" in sheet.text
    assert sheet.text.count("<svg") == 2
    assert "<title>" in sheet.text
    assert sheet.headers.get("cache-control") == "no-store"
    assert declic.count(LoginCode, revoked_at=None) == 2
    assert declic.count(AuditEvent, action="logincode.issued") == 1
    # The QR code encodes the absolute sign-in URL with the code.
    import segno

    expected = segno.make(f"http://testserver/login/code?c={codes[0].replace('-', '')}", error="m")
    assert expected.svg_inline(scale=3)[-200:].split('d="')[-1] in sheet.text


def test_code_signs_in_whatever_the_case_and_dashes(declic):
    _org, course, client, (amina,) = _course_with_learners(declic, "Amina")
    code = CODE.findall(_print(declic, client, course, amina).text)[0]
    for typed in (
        code,
        code.lower(),
        code.replace("-", ""),
        " " + code.replace("-", " ").lower() + " ",
    ):
        learner_client = declic.client()
        response = declic.post(learner_client, "/login/code", {"code": typed})
        assert response.status_code == 303, typed
        assert learner_client.get("/o/assoc/").status_code == 200


def test_the_qr_link_fills_the_code(declic):
    _org, course, client, (amina,) = _course_with_learners(declic, "Amina")
    code = CODE.findall(_print(declic, client, course, amina).text)[0]
    page = declic.client().get(f"/login/code?c={code.replace('-', '')}")
    assert f'value="{code.replace("-", "")}"' in page.text


def test_revoked_code_is_refused(declic):
    _org, course, client, (amina,) = _course_with_learners(declic, "Amina")
    code = CODE.findall(_print(declic, client, course, amina).text)[0]
    with declic.db() as db:
        code_id = db.query(LoginCode).filter_by(user_id=amina.id).one().id
    assert (
        declic.post(
            client, f"/o/assoc/admin/courses/{course.id}/login-codes/{code_id}/revoke"
        ).status_code
        == 303
    )
    refused = declic.post(declic.client(), "/login/code", {"code": code})
    assert refused.status_code == 200
    assert 'role="alert"' in refused.text
    assert declic.count(AuditEvent, action="logincode.revoked") == 1


def test_a_new_code_revokes_the_old_one(declic):
    _org, course, client, (amina,) = _course_with_learners(declic, "Amina")
    old = CODE.findall(_print(declic, client, course, amina).text)[0]
    new = CODE.findall(_print(declic, client, course, amina).text)[0]
    assert declic.post(declic.client(), "/login/code", {"code": old}).status_code == 200
    assert declic.post(declic.client(), "/login/code", {"code": new}).status_code == 303
    assert declic.count(LoginCode, user_id=amina.id, revoked_at=None) == 1


def test_no_code_for_trainers_admins_or_people_outside_the_course(declic):
    org, course, client, (amina,) = _course_with_learners(declic, "Amina")
    colleague = declic.user(org, "trainer")
    declic.enrol(course, colleague, "learner")  # a trainer following the course
    outsider = declic.user(org, "learner")
    page = client.get(f"/o/assoc/admin/courses/{course.id}/login-codes")
    assert f'value="{amina.id}"' in page.text
    assert f'value="{colleague.id}"' not in page.text
    response = declic.post(
        client,
        f"/o/assoc/admin/courses/{course.id}/login-codes/print",
        {"user_id": [str(colleague.id), str(outsider.id)]},
    )
    assert response.status_code == 404
    assert declic.count(LoginCode) == 0
    nothing = declic.post(client, f"/o/assoc/admin/courses/{course.id}/login-codes/print", {})
    assert nothing.status_code == 303  # nothing ticked: back to the list, with a message
    assert 'role="alert"' in client.get(nothing.headers["location"]).text


def test_a_learner_cannot_print_codes(declic):
    _org, course, _client, (amina, karim) = _course_with_learners(declic, "Amina", "Karim")
    response = declic.post(
        declic.client(amina),
        f"/o/assoc/admin/courses/{course.id}/login-codes/print",
        {"user_id": [str(karim.id)]},
    )
    assert response.status_code == 403
    assert declic.count(LoginCode) == 0


def test_organisation_wide_codes_for_admins(declic):
    org = declic.org("assoc")
    admin = declic.user(org, "admin")
    learner = declic.user(org, "learner")
    response = declic.post(
        declic.client(admin), "/o/assoc/admin/login-codes/print", {"user_id": [str(learner.id)]}
    )
    assert len(CODE.findall(response.text)) == 1


# --- sign-in messages --------------------------------------------------------------------------


def test_unknown_user_and_wrong_password_get_the_same_message(declic):
    org = declic.org("assoc")
    declic.user(org, "learner", login="amina", password="right password")
    client = declic.client()
    unknown = declic.post(client, "/login", {"identifier": "nobody", "password": "whatever"})
    wrong = declic.post(client, "/login", {"identifier": "amina", "password": "whatever"})
    assert unknown.status_code == wrong.status_code == 200

    def message(html):
        return re.search(r'role="alert">([^<]+)<', html).group(1)

    assert message(unknown.text) == message(wrong.text)


def test_switched_off_account_says_so_only_after_the_right_password(declic):
    org = declic.org("assoc")
    declic.user(org, "learner", login="amina", password="right password", active=False)
    client = declic.client()
    wrong = declic.post(client, "/login", {"identifier": "amina", "password": "wrong"})
    nobody = declic.post(client, "/login", {"identifier": "nobody", "password": "wrong"})
    right = declic.post(client, "/login", {"identifier": "amina", "password": "right password"})
    assert right.status_code == 200
    alert = re.compile(r'role="alert">([^<]+)<')
    assert alert.search(wrong.text).group(1) == alert.search(nobody.text).group(1)
    assert alert.search(right.text).group(1) != alert.search(wrong.text).group(1)


def test_switched_off_learner_cannot_use_a_code(declic):
    org = declic.org("assoc")
    learner = declic.user(org, "learner")
    with declic.db() as db:
        code = issue_login_code(
            db, db.get(User, learner.id), org.id, None, declic.state.settings.secret_key
        )
        db.get(User, learner.id).active = False
    client = declic.client()
    response = declic.post(client, "/login/code", {"code": code})
    assert response.status_code == 200
    assert client.get("/o/assoc/").status_code == 303
