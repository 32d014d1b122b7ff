"""Status labels: the defaults every organisation has, and the admin's own, each of one of
Snipe-IT's four kinds (deployable, pending, undeployable, archived)."""

from __future__ import annotations

from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PageRoute, needs
from plugins.equipment.models import STATUS_KINDS
from plugins.equipment.refusals import RefusedError
from plugins.equipment.stock import add_label, ensure_labels
from plugins.equipment.views.common import STATUS_KIND_LABELS, base_context, label_counts


def statuses(ctx: RequestContext) -> Response:
    ensure_labels(ctx.db, ctx.org.id)
    values = {"name": ctx.field("name"), "kind": ctx.field("kind") or "undeployable"}
    error = ""
    if ctx.request.method == "POST":
        try:
            label = add_label(ctx.db, ctx.org.id, values["name"], values["kind"])
        except RefusedError as refused:
            error = refused.message
        else:
            ctx.audit("equipment.status_label", label.name, {"kind": label.kind})
            return ctx.redirect(ctx.url("equipment.statuses"))
    return ctx.render(
        "equipment/statuses.html",
        status=400 if error else 200,
        **base_context(
            ctx,
            labels=label_counts(ctx.db, ctx.org.id),
            kinds=[(k, str(STATUS_KIND_LABELS[k])) for k in STATUS_KINDS],
            kind_names={k: str(v) for k, v in STATUS_KIND_LABELS.items()},
            values=values,
            error=error,
        ),
    )


ROUTES = [
    PageRoute("/statuses", statuses, ("GET", "POST"), needs("equipment:manage"), "statuses"),
]
