from __future__ import annotations

from core.testing import form_token


def test_login_page_renders_in_french_by_default(declic):
    client = declic.client()
    response = client.get("/login")
    assert response.status_code == 200
    assert 'lang="fr"' in response.text


def test_password_sign_in_through_the_form(declic):
    org = declic.org("assoc-a")
    declic.user(org, "learner", login="amina", password="correct horse")
    client = declic.client()
    token = form_token(client.get("/login").text)
    response = client.post(
        "/login", data={"identifier": "amina", "password": "correct horse", "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert "Amina" in home.text
