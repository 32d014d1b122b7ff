def test_pages_render(declic, setting):
    c = declic.client(setting.trainer)
    r = c.get(f"/o/{setting.org.slug}/certification/")
    assert r.status_code == 200, r.text
    r = c.get(f"/o/{setting.org.slug}/certification/courses/{setting.course.id}")
    assert r.status_code == 200, r.text
    r = c.get(f"/o/{setting.org.slug}/certification/courses/{setting.course.id}/learners/{setting.learner.id}")
    assert r.status_code == 200, r.text
    c2 = declic.client(setting.learner)
    r = c2.get(f"/o/{setting.org.slug}/certification/me")
    assert r.status_code == 200, r.text
    r = c2.get(f"/o/{setting.org.slug}/")
    assert r.status_code == 200, r.text
    assert "certification/me" in r.text
