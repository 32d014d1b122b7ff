"""Branding: name, colour, theme, language, logo checked by its content, served publicly."""

from __future__ import annotations

from core.models import AuditEvent, Organisation

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def _admin(declic):
    org = declic.org("assoc", name="Assoc")
    admin = declic.user(org, "admin", language="en")
    return org, declic.client(admin)


def _form(**overrides):
    data = {
        "name": "Assoc Lille",
        "colour": "#1f5fa8",
        "theme": "default",
        "default_language": "fr",
    }
    data.update(overrides)
    return data


def test_save_branding_and_see_it_in_the_header(declic):
    org, client = _admin(declic)
    response = declic.post(
        client,
        "/o/assoc/admin/branding",
        _form(colour="#7A1F5C", theme="contrast", default_language="ar"),
    )
    assert response.status_code == 303
    saved = declic.reload(Organisation, org.id)
    assert (saved.name, saved.colour, saved.theme, saved.default_language) == (
        "Assoc Lille",
        "#7a1f5c",
        "contrast",
        "ar",
    )
    page = client.get("/o/assoc/")
    assert "--org-colour: #7a1f5c" in page.text
    assert "contrast.css" in page.text
    # High contrast keeps text and buttons black on white: the colour only marks the header.
    assert "--brand: #7a1f5c" not in page.text
    declic.post(client, "/o/assoc/admin/branding", _form(colour="#7A1F5C"))
    page = client.get("/o/assoc/")
    assert "--brand: #7a1f5c" in page.text
    assert "contrast.css" not in page.text
    assert declic.count(AuditEvent, action="organisation.branding") == 2


def test_bad_colour_and_light_colour_are_field_errors(declic):
    org, client = _admin(declic)
    for colour in ("red", "#12345", "#ffff00"):  # the last one: white text unreadable on it
        response = declic.post(
            client, "/o/assoc/admin/branding", _form(colour=colour, name="Changed")
        )
        assert response.status_code == 200
        assert 'id="e-colour"' in response.text
        assert f'value="{colour}"' in response.text
    assert declic.reload(Organisation, org.id).name == "Assoc"
    assert declic.count(AuditEvent) == 0


def test_logo_upload_is_stored_and_served_to_anyone(declic):
    org, client = _admin(declic)
    response = declic.post(
        client, "/o/assoc/admin/branding", _form(), files={"logo": ("logo.png", PNG, "image/png")}
    )
    assert response.status_code == 303
    name = declic.reload(Organisation, org.id).logo
    assert name and name.endswith(".png")
    assert (declic.state.settings.data_dir / "logos" / name).read_bytes() == PNG
    public = declic.client().get("/o/assoc/logo")
    assert public.status_code == 200
    assert public.headers["content-type"] == "image/png"
    assert public.content == PNG
    assert 'src="/o/assoc/logo"' in client.get("/o/assoc/").text
    # A WebP replaces it; the old file goes.
    declic.post(
        client, "/o/assoc/admin/branding", _form(), files={"logo": ("x.webp", WEBP, "image/webp")}
    )
    assert not (declic.state.settings.data_dir / "logos" / name).exists()
    assert declic.client().get("/o/assoc/logo").headers["content-type"] == "image/webp"


def test_logo_is_checked_by_content_not_by_name(declic):
    org, client = _admin(declic)
    fake = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    response = declic.post(
        client, "/o/assoc/admin/branding", _form(), files={"logo": ("logo.png", fake, "image/png")}
    )
    assert response.status_code == 200
    assert 'id="e-logo"' in response.text
    assert declic.reload(Organisation, org.id).logo is None


def test_logo_over_512_kb_is_refused(declic):
    org, client = _admin(declic)
    big = PNG + b"\x00" * (512 * 1024)
    response = declic.post(
        client, "/o/assoc/admin/branding", _form(), files={"logo": ("big.png", big, "image/png")}
    )
    assert response.status_code == 200
    assert 'id="e-logo"' in response.text
    assert declic.reload(Organisation, org.id).logo is None


def test_no_logo_is_a_404(declic):
    declic.org("assoc")
    assert declic.client().get("/o/assoc/logo").status_code == 404


def test_trainer_cannot_change_branding(declic):
    org = declic.org("assoc", name="Assoc")
    trainer = declic.user(org, "trainer")
    response = declic.post(declic.client(trainer), "/o/assoc/admin/branding", _form(name="Pwned"))
    assert response.status_code == 403
    assert declic.reload(Organisation, org.id).name == "Assoc"
