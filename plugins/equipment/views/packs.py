"""Packs: a laptop, its mouse and its bag, lent and returned as one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.i18n import gettext as _
from plugins.equipment.history import record
from plugins.equipment.models import Asset, LoanItem, Pack
from plugins.equipment.views.common import KIND_LABELS, base_context


def packs(ctx: RequestContext) -> Response:
    errors: dict[str, str] = {}
    values = {"code": ctx.field("code"), "name": ctx.field("name")}
    if ctx.request.method == "POST":
        if not values["code"]:
            errors["code"] = _("Write a code for the pack, for example PACK-001.")
        elif len(values["code"]) > 64:
            errors["code"] = _("At most %(n)s characters.", n=64)
        elif ctx.db.scalar(
            select(Pack.id).where(
                Pack.organisation_id == ctx.org.id, func.lower(Pack.code) == values["code"].lower()
            )
        ):
            errors["code"] = _("Another pack already has this code.")
        if not errors:
            pack = Pack(organisation_id=ctx.org.id, code=values["code"], name=values["name"][:200])
            # The check above lower-cases in the database, which for SQLite means ASCII only
            # ("Å" and "å" differ there), and two people may create the same code at once: the
            # unique constraint has the last word, and its refusal is the same message.
            try:
                with ctx.db.begin_nested():
                    ctx.db.add(pack)
                    ctx.db.flush()
            except IntegrityError:
                errors["code"] = _("Another pack already has this code.")
            else:
                return ctx.redirect(ctx.url("equipment.pack", pack_id=pack.id))
    rows = ctx.db.scalars(
        select(Pack).where(Pack.organisation_id == ctx.org.id).order_by(Pack.code)
    ).all()
    listing = [
        {
            "id": p.id,
            "code": p.code,
            "name": p.name,
            "assets": ", ".join(a.tag for a in p.assets),
            "status": ", ".join(sorted({a.status_label.name for a in p.assets})),
        }
        for p in rows
    ]
    return ctx.render(
        "equipment/packs.html",
        status=400 if errors else 200,
        **base_context(ctx, packs=listing, values=values, errors=errors),
    )


def _pack_page(ctx: RequestContext, pack: Pack, error: str = "", status: int = 200) -> Response:
    out = ctx.db.scalar(
        select(func.count(LoanItem.id)).where(
            LoanItem.active_asset_id.in_([a.id for a in pack.assets] or [0])
        )
    )
    return ctx.render(
        "equipment/pack.html",
        status=status,
        **base_context(
            ctx,
            pack=pack,
            kinds=KIND_LABELS,
            error=error,
            lendable=bool(pack.assets)
            and all(a.status_label.kind == "deployable" for a in pack.assets),
            out=bool(out),
        ),
    )


def pack_detail(ctx: RequestContext, pack_id: int) -> Response:
    return _pack_page(ctx, ctx.get(Pack, pack_id))


def pack_add(ctx: RequestContext, pack_id: int) -> Response:
    """Put an asset (named by its tag) in the pack; it must be in the stock and in no pack."""
    pack = ctx.get(Pack, pack_id)
    tag = ctx.field("tag")
    asset = (
        ctx.db.scalar(
            select(Asset).where(
                Asset.organisation_id == ctx.org.id, func.lower(Asset.tag) == tag.lower()
            )
        )
        if tag
        else None
    )
    if asset is None:
        return _pack_page(ctx, pack, _("No asset has the tag “%(tag)s”.", tag=tag), 400)
    if asset.pack_id is not None:
        return _pack_page(ctx, pack, _("%(tag)s is already in a pack.", tag=asset.tag), 409)
    if asset.status_label.kind != "deployable":
        return _pack_page(
            ctx, pack, _("%(tag)s is not available: it cannot join a pack now.", tag=asset.tag), 409
        )
    asset.pack_id = pack.id
    ctx.db.flush()
    assert ctx.user is not None
    record(ctx.db, ctx.org.id, "packed", ctx.user.id, asset_id=asset.id, detail=pack.code)
    return ctx.redirect(ctx.url("equipment.pack", pack_id=pack.id))


def pack_remove(ctx: RequestContext, pack_id: int) -> Response:
    pack = ctx.get(Pack, pack_id)
    asset = ctx.get(Asset, ctx.field("asset"))
    if asset.pack_id != pack.id:
        return _pack_page(ctx, pack, _("This asset is not in the pack."), 400)
    if ctx.db.scalar(select(LoanItem.id).where(LoanItem.active_asset_id == asset.id)) is not None:
        return _pack_page(ctx, pack, _("The pack is out: check it in first."), 409)
    asset.pack_id = None
    ctx.db.flush()
    assert ctx.user is not None
    record(ctx.db, ctx.org.id, "unpacked", ctx.user.id, asset_id=asset.id, detail=pack.code)
    return ctx.redirect(ctx.url("equipment.pack", pack_id=pack.id))


ROUTES = [
    PageRoute("/packs", packs, ("GET", "POST"), needs("equipment:manage"), "packs"),
    PageRoute("/packs/{pack_id:int}", pack_detail, ("GET",), needs("equipment:lend"), "pack"),
    PageRoute(
        "/packs/{pack_id:int}/add", pack_add, ("POST",), needs("equipment:manage"), "pack_add"
    ),
    PageRoute(
        "/packs/{pack_id:int}/remove",
        pack_remove,
        ("POST",),
        needs("equipment:manage"),
        "pack_remove",
    ),
]
