"""Certificates: issuing (the PDF is made once and kept as issued), verification codes, lookup
without timing leaks, revocation, and the privacy rule.

Verification codes are 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), drawn
with ``secrets``: 31^12 ≈ 8·10^17 codes, far beyond guessing at the rate the public page allows.
The database is searched by the code's SHA-256 digest, and the digest is compared again with
``hmac.compare_digest``; a miss runs the same query and the same comparison against a dummy, so
"not found" and "found" cost the same work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.models import Organisation, User
from plugins.certification.models import Certificate

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
_DUMMY_DIGEST = hashlib.sha256(b"declic-certification-no-such-code").hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Upper-case, without spaces or dashes: what a person types from paper still matches."""
    return "".join(ch for ch in code.upper() if ch.isalnum())[:64]


def format_code(code: str) -> str:
    """``ABCD-EFGH-JKMN``: easier to read aloud and to type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


@dataclass(frozen=True)
class Issue:
    """What a certificate says (printed on the PDF and shown on the verification page)."""

    kind: str  # "course" or "target"
    subject: str  # course id or target key
    title: str
    course_id: int | None = None


def issue_certificate(
    db: Session,
    organisation: Organisation,
    learner: User,
    issuer: User,
    what: Issue,
    verify_url_for: Callable[[str], str],
    render_pdf: Callable[[Certificate, str], bytes],
) -> Certificate:
    """Create the row, make the PDF once (with the QR code of its verification URL), keep it."""
    code = new_code()
    while (
        db.scalar(select(Certificate.id).where(Certificate.code_digest == digest(code))) is not None
    ):
        code = new_code()  # 8·10^17 codes: a clash is practically impossible, but never reuse one
    cert = Certificate(
        organisation_id=organisation.id,
        user_id=learner.id,
        code=code,
        code_digest=digest(code),
        kind=what.kind,
        subject=what.subject[:80],
        course_id=what.course_id,
        title=what.title[:300],
        learner_name=learner.display_name,
        issuer_name=issuer.display_name,
        organisation_name=organisation.name,
        issued_at=now(),
        issued_by_id=issuer.id,
    )
    cert.pdf = render_pdf(cert, verify_url_for(code))
    db.add(cert)
    db.flush()
    return cert


def find_by_code(db: Session, organisation_id: int, code: str) -> Certificate | None:
    """The certificate with this code in this organisation, doing the same work on a miss."""
    wanted = digest(code)
    row = db.scalar(
        select(Certificate).where(
            Certificate.code_digest == wanted, Certificate.organisation_id == organisation_id
        )
    )
    stored = row.code_digest if row is not None else _DUMMY_DIGEST
    same = hmac.compare_digest(stored, wanted)
    return row if row is not None and same else None


def revoke(cert: Certificate, by: User | None, reason: str, moment: datetime | None = None) -> None:
    cert.revoked_at = moment or now()
    cert.revoked_by_id = by.id if by else None
    cert.revoke_reason = reason


ERASED_NAME = "—"


def anonymise(cert: Certificate) -> None:
    """Privacy delete: the row stays (the code still answers, so a forged copy is exposed) but it
    holds nothing personal: no name, no PDF, and it shows as withdrawn."""
    cert.learner_name = ERASED_NAME
    cert.user_id = None
    cert.pdf = None
    if cert.revoked_at is None:
        cert.revoked_at = now()
    cert.revoke_reason = "erased"
