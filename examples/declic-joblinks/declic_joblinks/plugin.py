"""Hook implementations of the joblinks plugin: only public hooks of ``core/hookspecs.py``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core import hookimpl
from core.context import RequestContext
from core.contracts import (
    Capability,
    MenuItem,
    PageRoute,
    PluginInfo,
    PrivacyField,
    SettingSpec,
    Widget,
)
from core.i18n import N_
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import Organisation, User
from core.plugin_folders import standard_folders
from declic_joblinks import __version__, views
from declic_joblinks.models import JobLink, JobLinkUse

NAME = "joblinks"


@hookimpl
def declic_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        version=__version__,
        description=N_("A page of useful job-search links per organisation, kept by its admins"),
        requires_core=">=0.1,<1",
        label=N_("Job-search links"),
    )


declic_template_dir, declic_static_dir, declic_locale_dir, declic_migrations_dir = standard_folders(
    __file__
)


@hookimpl
def declic_routes() -> list[PageRoute]:
    return views.ROUTES


@hookimpl
def declic_capabilities() -> list[Capability]:
    return [
        Capability(
            "joblinks:view", _l("Open the job-search links page"), ("learner", "trainer", "admin")
        ),
        Capability("joblinks:manage", _l("Add, edit and remove job-search links"), ("admin",)),
    ]


def _max_links(value: Any) -> str | None:
    return None if isinstance(value, int) and 1 <= value <= 10 else _("Between 1 and 10 links.")


@hookimpl
def declic_settings() -> list[SettingSpec]:
    return [
        SettingSpec(
            "intro",
            _l("Text at the top of the page"),
            "",
            kind="textarea",
            help=_l("For instance: opening hours of the local job centre."),
        ),
        SettingSpec("show_widget", _l("Show the links on learners' home page"), True, kind="bool"),
        SettingSpec(
            "widget_links",
            _l("How many links on the home page"),
            3,
            kind="int",
            minimum=1,
            maximum=10,
            validate=_max_links,
        ),
    ]


@hookimpl
def declic_menu_items(ctx: RequestContext) -> list[MenuItem]:
    items: list[MenuItem] = []
    if ctx.may("joblinks:view"):
        items.append(MenuItem(_("Job search"), ctx.url("joblinks.index"), "learner", "↗", 50))
    if ctx.may("joblinks:manage"):
        items.append(MenuItem(_("Job links"), ctx.url("joblinks.manage"), "admin", "↗", 80))
    return items


@hookimpl
def declic_dashboard_widgets(ctx: RequestContext, audience: str) -> list[Widget]:
    if audience != "learner" or not ctx.may("joblinks:view"):
        return []
    settings = ctx.plugin_settings(NAME)
    if not settings["show_widget"]:
        return []
    links = views.links_of(ctx.db, ctx.org.id)[: int(settings["widget_links"])]
    if not links:
        return []
    return [
        Widget(
            _("Job search"),
            "joblinks/widget.html",
            {"links": links, "more": ctx.url("joblinks.index")},
            order=40,
        )
    ]


# --- privacy ----------------------------------------------------------------------------------


@hookimpl
def declic_privacy_metadata() -> list[PrivacyField]:
    return [
        PrivacyField(
            "joblinks_use",
            ("user_id", "link_id", "created_at"),
            _l("Which links a learner ticked as used"),
        ),
        PrivacyField(
            "joblinks_link",
            ("created_by_id",),
            _l("Who added a link (kept for the admins' history)"),
        ),
    ]


@hookimpl
def declic_privacy_export(db: Session, user: User) -> dict[str, Any] | None:
    used = db.execute(
        select(JobLinkUse.created_at, JobLink.title, JobLink.url, Organisation.slug)
        .join(JobLink, JobLink.id == JobLinkUse.link_id)
        .join(Organisation, Organisation.id == JobLinkUse.organisation_id)
        .where(JobLinkUse.user_id == user.id)
        .order_by(JobLinkUse.created_at)
    ).all()
    added = db.execute(
        select(JobLink.title, JobLink.url, JobLink.created_at, Organisation.slug)
        .join(Organisation, Organisation.id == JobLink.organisation_id)
        .where(JobLink.created_by_id == user.id)
    ).all()
    if not used and not added:
        return None
    return {
        "links_used": [
            {"organisation": org, "title": title, "url": url, "at": at.isoformat()}
            for at, title, url, org in used
        ],
        "links_added": [
            {"organisation": org, "title": title, "url": url, "at": at.isoformat()}
            for title, url, at, org in added
        ],
    }


@hookimpl
def declic_privacy_delete(db: Session, user: User) -> None:
    db.execute(delete(JobLinkUse).where(JobLinkUse.user_id == user.id))
    # The link itself belongs to the organisation: keep it, forget who added it.
    db.execute(update(JobLink).where(JobLink.created_by_id == user.id).values(created_by_id=None))


@hookimpl
def declic_contract_sample_data(db: Session, organisation: Organisation, user: User) -> int:
    link = JobLink(
        organisation_id=organisation.id,
        title="France Travail",
        url="https://www.francetravail.fr/",
        created_by_id=user.id,
    )
    db.add(link)
    db.flush()
    db.add(JobLinkUse(organisation_id=organisation.id, link_id=link.id, user_id=user.id))
    db.flush()
    return link.id


@hookimpl
def declic_plugin_switched(
    db: Session, organisation: Organisation, plugin: str, enabled: bool
) -> None:
    """First switch-on: give the organisation a starting list, so the page is never empty."""
    if plugin != NAME or not enabled:
        return
    if db.scalar(select(JobLink.id).where(JobLink.organisation_id == organisation.id).limit(1)):
        return
    for position, (title, url) in enumerate(views.STARTER_LINKS):
        db.add(JobLink(organisation_id=organisation.id, title=title, url=url, position=position))
