"""The plugin's pages: the learners' list, and the admins' editor (add, edit, remove, reorder)."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from core.context import RequestContext
from core.contracts import PageRoute, needs
from core.i18n import gettext as _
from declic_joblinks.models import JobLink, JobLinkUse

# Offered the first time an organisation switches the plugin on; its admins change them freely.
STARTER_LINKS = (
    ("France Travail", "https://www.francetravail.fr/"),
    ("1jeune1solution", "https://www.1jeune1solution.gouv.fr/"),
    ("Mon compte formation", "https://www.moncompteformation.gouv.fr/"),
)


def links_of(db: Session, organisation_id: int) -> list[JobLink]:
    return list(
        db.scalars(
            select(JobLink)
            .where(JobLink.organisation_id == organisation_id)
            .order_by(JobLink.position, JobLink.id)
        )
    )


def index(ctx: RequestContext) -> Response:
    assert ctx.user is not None
    used = set(
        ctx.db.scalars(
            select(JobLinkUse.link_id).where(
                JobLinkUse.organisation_id == ctx.org.id, JobLinkUse.user_id == ctx.user.id
            )
        )
    )
    return ctx.render(
        "joblinks/index.html",
        links=links_of(ctx.db, ctx.org.id),
        used=used,
        intro=ctx.plugin_settings("joblinks")["intro"],
        can_manage=ctx.may("joblinks:manage"),
    )


def toggle_used(ctx: RequestContext, link_id: int) -> Response:
    """Tick or untick "I have used it" (htmx swaps the one row; without JS, back to the list)."""
    assert ctx.user is not None
    link = ctx.get(JobLink, link_id)
    mark = ctx.db.scalar(
        select(JobLinkUse).where(JobLinkUse.link_id == link.id, JobLinkUse.user_id == ctx.user.id)
    )
    if mark is None:
        ctx.db.add(JobLinkUse(organisation_id=ctx.org.id, link_id=link.id, user_id=ctx.user.id))
        used = True
    else:
        ctx.db.delete(mark)
        used = False
    if ctx.request.headers.get("hx-request"):
        return ctx.render("joblinks/_row.html", link=link, used={link.id} if used else set())
    return ctx.redirect(ctx.url("joblinks.index") + f"#link-{link.id}")


def _read_form(ctx: RequestContext) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "title": ctx.field("title"),
        "url": ctx.field("url"),
        "description": ctx.field("description"),
    }
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = _("Give the link a name, for instance “France Travail”.")
    elif len(values["title"]) > 200:
        errors["title"] = _("The name is too long (200 characters at most).")
    parts = urlsplit(values["url"])
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors["url"] = _("Write the full address, starting with https://")
    elif len(values["url"]) > 500:
        errors["url"] = _("The address is too long (500 characters at most).")
    return values, errors


def manage(ctx: RequestContext) -> Response:
    """The admins' list, with the form to add a link (GET shows, POST adds)."""
    values = {"title": "", "url": "", "description": ""}
    errors: dict[str, str] = {}
    status = 200
    if ctx.request.method == "POST":
        values, errors = _read_form(ctx)
        if not errors:
            last = ctx.db.scalar(
                select(func.max(JobLink.position)).where(JobLink.organisation_id == ctx.org.id)
            )
            link = JobLink(
                organisation_id=ctx.org.id,
                position=(last or 0) + 1,
                created_by_id=ctx.user.id if ctx.user else None,
                **values,
            )
            ctx.db.add(link)
            ctx.db.flush()
            ctx.audit("joblinks.added", str(link.id), {"title": link.title})
            return ctx.redirect(ctx.url("joblinks.manage"))
        status = 400
    return ctx.render(
        "joblinks/manage.html",
        status=status,
        links=links_of(ctx.db, ctx.org.id),
        values=values,
        errors=errors,
    )


def edit(ctx: RequestContext, link_id: int) -> Response:
    link = ctx.get(JobLink, link_id)
    values = {"title": link.title, "url": link.url, "description": link.description}
    errors: dict[str, str] = {}
    status = 200
    if ctx.request.method == "POST":
        values, errors = _read_form(ctx)
        if not errors:
            link.title, link.url, link.description = (
                values["title"],
                values["url"],
                values["description"],
            )
            ctx.audit("joblinks.edited", str(link.id), {"title": link.title})
            return ctx.redirect(ctx.url("joblinks.manage"))
        status = 400
    return ctx.render("joblinks/edit.html", status=status, link=link, values=values, errors=errors)


def remove(ctx: RequestContext, link_id: int) -> Response:
    link = ctx.get(JobLink, link_id)
    ctx.audit("joblinks.removed", str(link.id), {"title": link.title})
    ctx.db.delete(link)
    return ctx.redirect(ctx.url("joblinks.manage"))


def move(ctx: RequestContext, link_id: int) -> Response:
    """Move a link one place up or down (buttons, no drag and drop: works on any device)."""
    link = ctx.get(JobLink, link_id)
    links = links_of(ctx.db, ctx.org.id)
    index_of = links.index(link)
    step = -1 if ctx.field("direction") == "up" else 1
    other = index_of + step
    if 0 <= other < len(links):
        links[index_of], links[other] = links[other], links[index_of]
        for position, row in enumerate(links):
            row.position = position
    return ctx.redirect(ctx.url("joblinks.manage"))


ROUTES = [
    PageRoute("/", index, ("GET",), needs("joblinks:view"), "index"),
    PageRoute("/{link_id:int}/used", toggle_used, ("POST",), needs("joblinks:view"), "used"),
    PageRoute("/manage", manage, ("GET", "POST"), needs("joblinks:manage"), "manage"),
    PageRoute("/{link_id:int}/edit", edit, ("GET", "POST"), needs("joblinks:manage"), "edit"),
    PageRoute("/{link_id:int}/remove", remove, ("POST",), needs("joblinks:manage"), "remove"),
    PageRoute("/{link_id:int}/move", move, ("POST",), needs("joblinks:manage"), "move"),
]
