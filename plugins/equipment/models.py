"""The equipment plugin's tables. Every row carries ``organisation_id``: stock is per organisation.

Model after Snipe-IT (asset, status label of one of four kinds, history of every action) and Koha
(loan length, renewals, grace, overdue notices). One loan can hold several assets (a pack moves
as one); ``LoanItem.active_asset_id`` is unique, so an asset can be in one active loan only,
whatever two admins click at the same time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now
from core.db import Base, UTCDateTime

STATUS_KINDS = ("deployable", "pending", "undeployable", "archived")
ASSET_KINDS = ("laptop", "desktop", "screen", "phone", "accessory")
GRADES = ("A", "B", "C")
TEST_RESULTS = ("passed", "failed", "not_tested")
SOURCE_KINDS = ("refurbisher", "donor")
LOAN_KINDS = ("loan", "donation")
LOAN_STATES = ("active", "returned", "lost", "given")

_ORG_FK = "organisation.id"
_USER_FK = "user_account.id"


class StatusLabel(Base):
    """A status an asset can be in; ``role`` marks the defaults the plugin's actions move to."""

    __tablename__ = "equipment_status_label"
    __table_args__ = (UniqueConstraint("organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    # available, on_loan, in_repair, given, retired, lost; None for labels an admin adds.
    role: Mapped[str | None] = mapped_column(String(32), default=None)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))


class Pack(Base):
    """Several assets (laptop + mouse + bag) lent and returned as one."""

    __tablename__ = "equipment_pack"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    assets: Mapped[list[Asset]] = relationship(back_populates="pack", order_by="Asset.tag")


class Asset(Base):
    """One physical item of the organisation's stock."""

    __tablename__ = "equipment_asset"
    __table_args__ = (
        UniqueConstraint("organisation_id", "tag"),
        # Several NULL serials are allowed (a bag has none): NULLs never collide in a unique key.
        UniqueConstraint("organisation_id", "serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(64))
    serial: Mapped[str | None] = mapped_column(String(100), default=None)
    kind: Mapped[str] = mapped_column(String(16), default="laptop")
    make: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    cpu: Mapped[str] = mapped_column(String(100), default="")
    ram: Mapped[str] = mapped_column(String(50), default="")
    storage: Mapped[str] = mapped_column(String(50), default="")
    screen: Mapped[str] = mapped_column(String(50), default="")
    os: Mapped[str] = mapped_column(String(100), default="")
    grade: Mapped[str | None] = mapped_column(String(1), default=None)
    erasure_method: Mapped[str] = mapped_column(String(100), default="")
    erasure_date: Mapped[date | None] = mapped_column(Date, default=None)
    erasure_operator: Mapped[str] = mapped_column(String(100), default="")
    test_result: Mapped[str] = mapped_column(String(16), default="not_tested")
    warranty_end: Mapped[date | None] = mapped_column(Date, default=None)
    source_kind: Mapped[str] = mapped_column(String(16), default="refurbisher")
    source_name: Mapped[str] = mapped_column(String(200), default="")
    delivery_ref: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status_label_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_status_label.id"), index=True
    )
    pack_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_pack.id", ondelete="SET NULL"), index=True, default=None
    )
    # Snipe-IT's audit: when someone last saw the asset where it should be, and when to look again.
    last_audit_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    next_audit_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Set when the asset was given away: ownership passed to this person.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    status_label: Mapped[StatusLabel] = relationship()
    pack: Mapped[Pack | None] = relationship(back_populates="assets")


class AssetPhoto(Base):
    """A photo of an asset, checked to be an image, stored in the database (served to members)."""

    __tablename__ = "equipment_asset_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_asset.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Agreement(Base):
    """One version of the organisation's loan agreement (charte de prêt). Never edited: a new
    text is a new version, so what a learner accepted stays what they read."""

    __tablename__ = "equipment_agreement"
    __table_args__ = (UniqueConstraint("organisation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Loan(Base):
    """A check-out to a learner: a loan with a due date, or a donation (ownership passes)."""

    __tablename__ = "equipment_loan"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    # NULL once the borrower's account was deleted (the loan stays as the asset's history).
    borrower_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), index=True, default=None
    )
    borrower_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16), default="loan")
    state: Mapped[str] = mapped_column(String(16), default="active", index=True)
    pack_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_pack.id", ondelete="SET NULL"), default=None
    )
    checked_out_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    checked_out_by_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), default=None
    )
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), default=None
    )
    return_condition: Mapped[str] = mapped_column(String(32), default="")
    return_notes: Mapped[str] = mapped_column(Text, default="")
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_agreement.id"), default=None
    )
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    accepted_address: Mapped[str] = mapped_column(String(64), default="")
    # The PDF as generated at acceptance: the record of what was accepted, served as stored.
    agreement_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    agreement_pdf_sha256: Mapped[str] = mapped_column(String(64), default="")

    items: Mapped[list[LoanItem]] = relationship(back_populates="loan", order_by="LoanItem.id")
    agreement: Mapped[Agreement | None] = relationship()


class LoanItem(Base):
    """One asset of a loan. ``active_asset_id`` equals ``asset_id`` while the loan is open and is
    cleared when it closes: its unique key makes a second open loan of the asset impossible."""

    __tablename__ = "equipment_loan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    loan_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_loan.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_asset.id", ondelete="CASCADE"), index=True
    )
    active_asset_id: Mapped[int | None] = mapped_column(Integer, unique=True, default=None)

    loan: Mapped[Loan] = relationship(back_populates="items")
    asset: Mapped[Asset] = relationship()


class Event(Base):
    """One line of history: who did what, when, to which asset, for which learner."""

    __tablename__ = "equipment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_asset.id", ondelete="CASCADE"), index=True, default=None
    )
    loan_id: Mapped[int | None] = mapped_column(
        ForeignKey("equipment_loan.id", ondelete="SET NULL"), index=True, default=None
    )
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), index=True, default=None
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey(_USER_FK, ondelete="SET NULL"), default=None
    )
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)


class Reminder(Base):
    """An overdue notice of one level (days late) for one loan: sent once, by construction."""

    __tablename__ = "equipment_reminder"
    __table_args__ = (UniqueConstraint("loan_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey(_ORG_FK, ondelete="CASCADE"), index=True
    )
    loan_id: Mapped[int] = mapped_column(
        ForeignKey("equipment_loan.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    # False when a higher level was due at the same run: only the highest is sent.
    sent: Mapped[bool] = mapped_column(Boolean, default=True)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
