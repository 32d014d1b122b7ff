"""Stock pages: the list with counts per status, one asset (details, photos, history), adding and
editing an asset, photos, status changes, and the label sheet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import SIGNED_IN, PageRoute, needs
from core.errors import BadRequest
from core.i18n import gettext as _
from plugins.equipment import labels_pdf
from plugins.equipment.csv_import import parse_date
from plugins.equipment.history import record
from plugins.equipment.models import (
    ASSET_KINDS,
    GRADES,
    SOURCE_KINDS,
    TEST_RESULTS,
    Asset,
    AssetPhoto,
    Loan,
    LoanItem,
    Pack,
    StatusLabel,
)
from plugins.equipment.photos import checked_image
from plugins.equipment.refusals import RefusedError
from plugins.equipment.settings import NAME
from plugins.equipment.stock import audit, ensure_labels, manual_labels, set_status
from plugins.equipment.views.common import (
    KIND_LABELS,
    TEST_LABELS,
    audit_due,
    audit_due_count,
    base_context,
    history,
    label_counts,
    summarise,
)
from plugins.equipment.views.common import rules as org_rules

TEXT_FIELDS = {
    "tag": 64,
    "serial": 100,
    "make": 100,
    "model": 100,
    "cpu": 100,
    "ram": 50,
    "storage": 50,
    "screen": 50,
    "os": 100,
    "erasure_method": 100,
    "erasure_operator": 100,
    "source_name": 200,
    "delivery_ref": 100,
}


def stock(ctx: RequestContext) -> Response:
    """The organisation's stock: counts per status and the assets, filtered by status."""
    ensure_labels(ctx.db, ctx.org.id)
    per_label = label_counts(ctx.db, ctx.org.id)
    wanted_role = ctx.request.query_params.get("status", "")
    wanted_id = ctx.request.query_params.get("label", "")
    wanted = next(
        (
            label
            for label, _n in per_label
            if (wanted_role and label.role == wanted_role) or str(label.id) == wanted_id
        ),
        None,
    )
    stmt = (
        select(Asset, StatusLabel)
        .join(StatusLabel, StatusLabel.id == Asset.status_label_id)
        .where(Asset.organisation_id == ctx.org.id)
        .order_by(Asset.tag)
    )
    if wanted is not None:
        stmt = stmt.where(StatusLabel.id == wanted.id)
    audit_days = int(ctx.plugin_settings(NAME).get("audit_days") or 0)
    audit_only = ctx.request.query_params.get("audit") == "due"
    if audit_only:
        stmt = stmt.where(audit_due(ctx.org.id, audit_days))
    rows = ctx.db.execute(stmt).all()
    packs = dict(
        ctx.db.execute(select(Pack.id, Pack.code).where(Pack.organisation_id == ctx.org.id)).all()
    )
    holders = dict(
        ctx.db.execute(
            select(LoanItem.active_asset_id, Loan.borrower_name)
            .join(Loan, Loan.id == LoanItem.loan_id)
            .where(Loan.organisation_id == ctx.org.id, LoanItem.active_asset_id.is_not(None))
        ).all()
    )
    assets = [
        {
            "id": a.id,
            "tag": a.tag,
            "kind": str(KIND_LABELS.get(a.kind, a.kind)),
            "model": f"{a.make} {a.model}".strip(),
            "grade": a.grade or "",
            "status": label.name,
            "role": label.role or label.kind,
            "pack": packs.get(a.pack_id, "") if a.pack_id else "",
            "holder": holders.get(a.id, ""),
        }
        for a, label in rows
    ]
    return ctx.render(
        "equipment/stock.html",
        **base_context(
            ctx,
            per_label=per_label,
            wanted=wanted.id if wanted is not None else None,
            audit_only=audit_only,
            audits_due=audit_due_count(ctx.db, ctx.org.id, audit_days),
            assets=assets,
        ),
    )


def asset_detail(ctx: RequestContext, asset_id: str) -> Response:
    asset = ctx.get(Asset, asset_id)
    return _render_detail(ctx, asset)


def _render_detail(
    ctx: RequestContext, asset: Asset, error: str = "", status: int = 200
) -> Response:
    photos = ctx.db.scalars(
        select(AssetPhoto.id).where(
            AssetPhoto.asset_id == asset.id, AssetPhoto.organisation_id == ctx.org.id
        )
    ).all()
    loans = ctx.db.scalars(
        select(Loan)
        .join(LoanItem, LoanItem.loan_id == Loan.id)
        .where(LoanItem.asset_id == asset.id, Loan.organisation_id == ctx.org.id)
        .order_by(Loan.checked_out_at.desc())
    ).all()
    ensure_labels(ctx.db, ctx.org.id)
    return ctx.render(
        "equipment/asset.html",
        status=status,
        **base_context(
            ctx,
            asset=asset,
            photos=list(photos),
            loans=summarise(ctx.db, list(loans), org_rules(ctx)),
            history=history(ctx.db, ctx.org.id, asset_id=asset.id),
            status_choices=[(row.id, row.name) for row in manual_labels(ctx.db, ctx.org.id)],
            lendable=asset.status_label.kind == "deployable" and asset.pack_id is None,
            error=error,
        ),
    )


# --- add and edit ----------------------------------------------------------------------------


def _form_values(asset: Asset | None) -> dict[str, str]:
    if asset is None:
        return {"kind": "laptop", "test_result": "not_tested", "source_kind": "refurbisher"}
    values = {name: str(getattr(asset, name) or "") for name in TEXT_FIELDS}
    values.update(
        kind=asset.kind,
        grade=asset.grade or "",
        test_result=asset.test_result,
        source_kind=asset.source_kind,
        erasure_date=asset.erasure_date.isoformat() if asset.erasure_date else "",
        warranty_end=asset.warranty_end.isoformat() if asset.warranty_end else "",
        notes=asset.notes,
    )
    return values


def parse_asset_form(
    ctx: RequestContext, db: Session, current: Asset | None
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """(typed values, errors by field, raw values to refill the form)."""
    raw = {
        name: ctx.field(name)
        for name in [
            *TEXT_FIELDS,
            "kind",
            "grade",
            "test_result",
            "source_kind",
            "erasure_date",
            "warranty_end",
            "notes",
        ]
    }
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        if len(raw[name]) > limit:
            errors[name] = _("At most %(n)s characters.", n=limit)
        values[name] = raw[name]
    if not raw["tag"]:
        errors["tag"] = _("Write the asset tag printed on the label.")
    values["serial"] = raw["serial"] or None
    others = select(Asset.id).where(Asset.organisation_id == ctx.org.id)
    if current is not None:
        others = others.where(Asset.id != current.id)
    if raw["tag"] and db.scalar(others.where(func.lower(Asset.tag) == raw["tag"].lower())):
        errors["tag"] = _("Another asset already has this tag.")
    if raw["serial"] and db.scalar(others.where(func.lower(Asset.serial) == raw["serial"].lower())):
        errors["serial"] = _("Another asset already has this serial number.")
    for name, allowed in (
        ("kind", ASSET_KINDS),
        ("test_result", TEST_RESULTS),
        ("source_kind", SOURCE_KINDS),
    ):
        if raw[name] not in allowed:
            errors[name] = _("Choose one of the options in the list.")
        values[name] = raw[name]
    if raw["grade"] and raw["grade"] not in GRADES:
        errors["grade"] = _("Choose A, B or C.")
    values["grade"] = raw["grade"] or None
    for name in ("erasure_date", "warranty_end"):
        try:
            values[name] = parse_date(raw[name]) if raw[name] else None
        except ValueError:
            errors[name] = _("Write a date like 2026-03-31 or 31/03/2026.")
    values["notes"] = raw["notes"]
    return values, errors, raw


def _form_page(
    ctx: RequestContext,
    asset: Asset | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return ctx.render(
        "equipment/asset_form.html",
        status=status,
        **base_context(
            ctx,
            asset=asset,
            values=values,
            errors=errors,
            kinds=[(k, str(KIND_LABELS[k])) for k in ASSET_KINDS],
            grades=[("", _("Not graded")), *[(g, g) for g in GRADES]],
            tests=[(t, str(TEST_LABELS[t])) for t in TEST_RESULTS],
            sources=[("refurbisher", _("Refurbisher")), ("donor", _("Donor"))],
        ),
    )


def asset_new(ctx: RequestContext) -> Response:
    if ctx.request.method == "GET":
        return _form_page(ctx, None, _form_values(None), {})
    values, errors, raw = parse_asset_form(ctx, ctx.db, None)
    if errors:
        return _form_page(ctx, None, raw, errors, status=400)
    labels = ensure_labels(ctx.db, ctx.org.id)
    asset = Asset(organisation_id=ctx.org.id, status_label_id=labels["available"].id, **values)
    ctx.db.add(asset)
    ctx.db.flush()
    assert ctx.user is not None
    record(ctx.db, ctx.org.id, "created", ctx.user.id, asset_id=asset.id, detail=asset.tag)
    return ctx.redirect(ctx.url("equipment.asset", asset_id=asset.id))


def asset_edit(ctx: RequestContext, asset_id: str) -> Response:
    asset = ctx.get(Asset, asset_id)
    if ctx.request.method == "GET":
        return _form_page(ctx, asset, _form_values(asset), {})
    values, errors, raw = parse_asset_form(ctx, ctx.db, asset)
    if errors:
        return _form_page(ctx, asset, raw, errors, status=400)
    changed = [name for name, value in values.items() if getattr(asset, name) != value]
    for name, value in values.items():
        setattr(asset, name, value)
    assert ctx.user is not None
    if changed:
        record(
            ctx.db, ctx.org.id, "edited", ctx.user.id, asset_id=asset.id, detail=", ".join(changed)
        )
    return ctx.redirect(ctx.url("equipment.asset", asset_id=asset.id))


# --- photos and status -----------------------------------------------------------------------


def photo_add(ctx: RequestContext, asset_id: str) -> Response:
    asset = ctx.get(Asset, asset_id)
    upload = ctx.form.get("photo") if ctx.form is not None else None
    if not isinstance(upload, UploadFile):
        return _render_detail(ctx, asset, _("Choose a photo to send."), status=400)
    data = upload.file.read()
    try:
        content_type = checked_image(data)
    except RefusedError as refused:
        return _render_detail(ctx, asset, refused.message, status=400)
    ctx.db.add(
        AssetPhoto(
            organisation_id=ctx.org.id, asset_id=asset.id, content_type=content_type, data=data
        )
    )
    assert ctx.user is not None
    record(ctx.db, ctx.org.id, "photo", ctx.user.id, asset_id=asset.id)
    return ctx.redirect(ctx.url("equipment.asset", asset_id=asset.id))


def photo_show(ctx: RequestContext, photo_id: str) -> Response:
    """A photo, to members of the organisation only (routing checks membership; ``ctx.get``
    keeps other organisations' photos out of reach)."""
    photo = ctx.get(AssetPhoto, photo_id)
    return Response(
        photo.data,
        media_type=photo.content_type,
        headers={"Cache-Control": "private, max-age=3600", "Content-Disposition": "inline"},
    )


def status_change(ctx: RequestContext, asset_id: str) -> Response:
    asset = ctx.get(Asset, asset_id)
    raw = ctx.field("status")
    label = ctx.db.scalar(
        select(StatusLabel).where(
            StatusLabel.id == (int(raw) if raw.isdigit() else 0),
            StatusLabel.organisation_id == ctx.org.id,
        )
    )
    if label is None:
        return _render_detail(ctx, asset, _("Choose a status."), status=400)
    assert ctx.user is not None
    try:
        set_status(ctx.db, asset, label, ctx.user.id)
    except RefusedError as refused:
        return _render_detail(ctx, asset, refused.message, status=409)
    return ctx.redirect(ctx.url("equipment.asset", asset_id=asset.id))


def audit_record(ctx: RequestContext, asset_id: str) -> Response:
    """The asset was seen where it should be."""
    asset = ctx.get(Asset, asset_id)
    assert ctx.user is not None
    interval = int(ctx.plugin_settings(NAME).get("audit_days") or 0)
    audit(ctx.db, asset, ctx.field("notes")[:2000], interval, ctx.user.id)
    return ctx.redirect(ctx.url("equipment.asset", asset_id=asset.id))


def labels_sheet(ctx: RequestContext) -> Response:
    """A4 label sheet of the stock, of one status (``?status=available``) or of some assets
    (``?ids=3,4,5``: the delivery just imported)."""
    stmt = select(Asset).where(Asset.organisation_id == ctx.org.id).order_by(Asset.tag)
    ids = ctx.request.query_params.get("ids", "")
    if ids:
        parts = ids.split(",")
        if len(parts) > 5000 or not all(p.isdigit() for p in parts):
            raise BadRequest(_("This list of equipment is not valid."))
        stmt = stmt.where(Asset.id.in_([int(p) for p in parts]))
    wanted = ctx.request.query_params.get("status", "")
    if wanted:
        labels = ensure_labels(ctx.db, ctx.org.id)
        if wanted not in labels:
            raise BadRequest(_("Unknown status."))
        stmt = stmt.where(Asset.status_label_id == labels[wanted].id)
    assets = ctx.db.scalars(stmt).all()
    body = labels_pdf.render(
        [labels_pdf.Label(a.tag, f"{a.make} {a.model}".strip(), ctx.org.name) for a in assets]
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="labels.pdf"'},
    )


ROUTES = [
    PageRoute("/", stock, ("GET",), needs("equipment:lend"), "stock"),
    PageRoute("/assets/new", asset_new, ("GET", "POST"), needs("equipment:manage"), "asset_new"),
    PageRoute("/assets/{asset_id:int}", asset_detail, ("GET",), needs("equipment:lend"), "asset"),
    PageRoute(
        "/assets/{asset_id:int}/edit",
        asset_edit,
        ("GET", "POST"),
        needs("equipment:manage"),
        "asset_edit",
    ),
    PageRoute(
        "/assets/{asset_id:int}/photos",
        photo_add,
        ("POST",),
        needs("equipment:manage"),
        "photo_add",
    ),
    PageRoute(
        "/assets/{asset_id:int}/status",
        status_change,
        ("POST",),
        needs("equipment:manage"),
        "status",
    ),
    PageRoute("/photos/{photo_id:int}", photo_show, ("GET",), SIGNED_IN, "photo"),
    PageRoute(
        "/assets/{asset_id:int}/audit", audit_record, ("POST",), needs("equipment:manage"), "audit"
    ),
    PageRoute("/labels.pdf", labels_sheet, ("GET",), needs("equipment:manage"), "labels"),
]
