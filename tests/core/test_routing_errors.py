"""How refusals are answered."""

from __future__ import annotations


def test_refusal_to_an_htmx_request_is_a_fragment_not_a_page(declic):
    org = declic.org("frag")
    learner = declic.user(org, "learner")
    client = declic.client(learner)
    response = client.post(
        "/o/frag/admin/courses/new",
        data={"title": "x", "csrf_token": declic.csrf(client)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert "<html" not in response.text
    assert 'role="alert"' in response.text
