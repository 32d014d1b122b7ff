"""The rotating QR token and the network restriction, as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugins.attendance.checkin import (
    CODE_ALPHABET,
    address_allowed,
    current_token,
    new_code,
    normalise_code,
    token_state,
)
from plugins.attendance.settings import validate_networks

SECRET = "s3cret"
T0 = datetime(2026, 11, 27, 9, 0, 0, tzinfo=UTC)


def test_current_and_previous_step_are_accepted_older_ones_have_expired():
    token = current_token(SECRET, 7, T0, 30)
    assert token_state(SECRET, 7, token, T0, 30) == "valid"
    assert token_state(SECRET, 7, token, T0 + timedelta(seconds=30), 30) == "valid"
    assert token_state(SECRET, 7, token, T0 + timedelta(seconds=90), 30) == "expired"


def test_a_token_of_another_session_or_secret_is_forged():
    token = current_token(SECRET, 7, T0, 30)
    assert token_state(SECRET, 8, token, T0, 30) == "forged"
    assert token_state("other", 7, token, T0, 30) == "forged"
    assert token_state(SECRET, 7, "0" * 20, T0, 30) == "forged"
    assert token_state(SECRET, 7, "", T0, 30) == "forged"


def test_codes_use_an_unambiguous_alphabet_and_typing_is_forgiving():
    code = new_code()
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert normalise_code(" ab-c 23 ") == "ABC23"


def test_network_restriction():
    assert address_allowed("10.1.2.3", {"allowed_networks": ""})
    settings = {"allowed_networks": "192.168.1.0/24\n2001:db8::/32"}
    assert address_allowed("192.168.1.40", settings)
    assert address_allowed("2001:db8::1", settings)
    assert not address_allowed("192.168.2.1", settings)
    assert not address_allowed("testclient", settings)


def test_network_setting_validation():
    assert validate_networks("192.168.1.0/24, 10.0.0.1") is None
    assert validate_networks("192.168.1.0/33") is not None
    assert validate_networks("not-an-ip") is not None
