"""Every hook a Déclic plugin can implement: the whole extension surface, in one file.

A plugin is a module or object registered through the ``declic.plugins`` entry-point group. It
implements any of the hooks below with ``from core import hookimpl``. Hooks marked *per
organisation* are called only on the plugins enabled for the organisation of the request (see
``core.plugins.PluginHost.hooks_for``); the others are called on every installed plugin.

Arguments are passed by keyword; an implementation may accept any subset of them (pluggy's rule).
Each section of ``docs/plugins.md`` shows an example of each hook; a meta-test keeps this file,
the guide and the tests in step.
"""

# Hookspecs are signatures with a docstring and no body.
# mypy: disable-error-code="empty-body"
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import hookspec

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from pluggy import PluginManager
    from sqlalchemy.orm import Session

    from core.context import RequestContext
    from core.contracts import (
        Activity,
        ActivityType,
        Capability,
        MenuItem,
        PageRoute,
        PluginInfo,
        PrivacyField,
        SettingSpec,
        Widget,
    )
    from core.models import Enrolment, Organisation, User
    from core.plugins import PluginHost


# --- identity and loading -------------------------------------------------------------------


@hookspec(firstresult=True)
def declic_plugin_info() -> PluginInfo:
    """Say who the plugin is.

    Called once, when the plugin is loaded. Returns a ``core.contracts.PluginInfo``: name (the
    entry-point name), version, one-line description, the core versions it works with
    (``requires_core``, a PEP 440 specifier such as ``">=0.1"``), and the names of the plugins it
    depends on. A plugin without it fails the contract check.
    """


@hookspec(historic=True)
def declic_add_hookspecs(pluginmanager: PluginManager) -> None:
    """Publish hooks of your own for other plugins.

    Called once per plugin as it is registered (historic: plugins registered later see it too).
    Call ``pluginmanager.add_hookspecs(module_or_class)`` with your own ``@hookspec`` functions;
    the quiz plugin announces ``declic_quiz_attempt_submitted`` this way. Returns nothing.
    """


@hookspec
def declic_migrations_dir() -> Path | None:
    """Where the plugin's Alembic revisions live.

    Called by ``declic init`` (and the test kit) to build the list of version locations. The
    directory holds revisions on the plugin's own branch: the first revision has
    ``branch_labels = ("NAME",)`` and ``depends_on = "core"``. Returns a ``pathlib.Path``.
    """


@hookspec
def declic_template_dir() -> Path | None:
    """The plugin's template folder.

    Called once at start-up. The folder holds a subfolder named after the plugin
    (``templates/quiz/attempt.html``) so names never collide; a theme may override any of them
    by holding the same relative path. Returns a ``pathlib.Path``.
    """


@hookspec
def declic_static_dir() -> Path | None:
    """The plugin's static files, served under ``/static/p/NAME/``.

    Called once at start-up. Returns a ``pathlib.Path``.
    """


@hookspec
def declic_locale_dir() -> Path | None:
    """The plugin's translation catalogues: ``LANG/LC_MESSAGES/NAME.po`` (gettext domain NAME).

    Called once at start-up; the catalogues are compiled in memory and merged behind core's.
    Returns a ``pathlib.Path``.
    """


# --- what a plugin adds to the platform ------------------------------------------------------


@hookspec
def declic_routes() -> list[PageRoute]:
    """The plugin's pages.

    Called once at start-up, on every installed plugin. Each ``PageRoute.path`` is mounted under
    ``/o/{org}/NAME``; the route answers 404 for an organisation that has the plugin off. Every
    route declares its ``Access`` rule (public, capability); core enforces it before the endpoint
    runs. Returns a list of ``core.contracts.PageRoute``.
    """


@hookspec
def declic_platform_routes() -> list[PageRoute]:
    """The plugin's pages for the platform administrators, outside any organisation.

    Called once at start-up, on every installed plugin. Each ``PageRoute.path`` is mounted under
    ``/admin/p/NAME``; whatever ``Access`` it declares, core only lets platform admins in (these
    pages see every organisation, for instance the programme-wide equipment stock). A route with
    a ``label`` and no path parameter is listed on the platform administration page. Returns a
    list of ``core.contracts.PageRoute``.
    """


@hookspec
def declic_capabilities() -> list[Capability]:
    """The capabilities the plugin checks, with the roles that hold them by default.

    Called once at start-up, on every installed plugin (capability names are
    ``NAME:thing.verb``). Returns a list of ``core.contracts.Capability``.
    """


@hookspec
def declic_settings() -> list[SettingSpec]:
    """The plugin's per-organisation settings, with defaults and validation.

    Called when the organisation's plugin page is shown or saved; core generates the form,
    validates each value (type, bounds, ``validate``) and stores them. Read them in a view with
    ``ctx.plugin_settings("NAME")``. Returns a list of ``core.contracts.SettingSpec``.
    """


@hookspec
def declic_menu_items(ctx: RequestContext) -> list[MenuItem]:
    """Links for the navigation. *Per organisation.*

    Called on every page of an organisation, with the request context (user, organisation,
    ``ctx.may(...)``). Return only the items this user may follow. Returns a list of
    ``core.contracts.MenuItem``.
    """


@hookspec
def declic_dashboard_widgets(ctx: RequestContext, audience: str) -> list[Widget]:
    """Boxes for a home page. *Per organisation.*

    Called when the learner (``audience="learner"``), trainer (``"trainer"``) or admin
    (``"admin"``) home of an organisation is shown. A widget that raises is left out and named to
    admins; the page still renders. Returns a list of ``core.contracts.Widget``.
    """


@hookspec
def declic_activity_types(ctx: RequestContext) -> list[ActivityType]:
    """What a trainer can add to a course section. *Per organisation.*

    Called on the course page for users who manage the course. Returns a list of
    ``core.contracts.ActivityType``.
    """


@hookspec
def declic_section_activities(
    ctx: RequestContext, course_id: int, section_ids: list[int]
) -> list[Activity]:
    """The plugin's activities placed in the given sections of a course. *Per organisation.*

    Called once per course page (with every section id at once, so one query serves them all).
    Return only what ``ctx.user`` may see. Returns a list of ``core.contracts.Activity``.
    """


@hookspec
def declic_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add subcommands to ``declic``.

    Called once when the command line is built, on every installed plugin. Add a parser with
    ``subparsers.add_parser("NAME", help=...)`` and set ``func`` on it with
    ``parser.set_defaults(func=handler)``; the handler receives ``(args, runtime)`` (``runtime``
    has ``settings``, ``host`` and ``state``, the application state with its database sessions)
    and returns an exit code. Returns nothing.
    """


@hookspec
def declic_cron(db: Session, now: Any, host: PluginHost) -> list[str] | None:
    """Periodic work (reminders, overdue attempts). Called by ``declic cron``.

    Called on every installed plugin, each in its own transaction; do the work only for
    organisations that have the plugin on (``core.plugins.enabled_organisation_ids(db, NAME)``).
    ``host`` is the process's ``core.plugins.PluginHost``: to announce an event to the plugins an
    organisation has on, call ``host.hooks_for(host.enabled_for(db, organisation))``. Returns
    lines to print (what was done), or None.
    """


@hookspec
def declic_demo_data(db: Session, organisation: Organisation, users: dict[str, User]) -> None:
    """Seed demo content for ``declic demo``.

    Called once per demo organisation, on the plugins enabled for it, after core's users and
    courses exist (``users`` maps logins to users). Returns nothing.
    """


# --- privacy (GDPR), as Moodle's privacy API --------------------------------------------------


@hookspec
def declic_privacy_metadata() -> list[PrivacyField]:
    """What personal data the plugin stores, and why.

    Called by the privacy commands and the contract check. Returns a list of
    ``core.contracts.PrivacyField``; a plugin that stores nothing personal returns ``[]``.
    """


@hookspec
def declic_privacy_export(db: Session, user: User) -> dict[str, Any] | None:
    """Everything the plugin holds about one user, in every organisation.

    Called by ``declic privacy export`` on every installed plugin (switched on or not: the data
    is there either way). Returns a JSON-serialisable dict (written as ``NAME.json`` in the
    archive), or None when it holds nothing.
    """


@hookspec
def declic_privacy_delete(db: Session, user: User) -> None:
    """Remove or anonymise everything the plugin holds about one user.

    Called by ``declic privacy delete`` on every installed plugin, before core deletes the
    account, in one transaction: if any plugin raises, nothing is deleted. After it,
    ``declic_privacy_export`` for that user must return nothing personal, and no row of the
    plugin may still point at the user. Returns nothing.
    """


@hookspec
def declic_contract_sample_data(db: Session, organisation: Organisation, user: User) -> int | None:
    """Create some of the plugin's data about ``user`` in ``organisation``, for the contract check.

    Called only by the contract check (``declic plugins check NAME``, and
    ``core.testing.assert_plugin_contract``) on a throwaway database, with the plugin switched on
    for ``organisation`` and ``user`` a learner member of it (enrolled in one course of the
    organisation, which has one section). Create the rows a real learner would leave (an attempt,
    a presence, a loan...) and flush. The check then verifies that ``declic_privacy_export``
    returns something for the user, that ``declic_privacy_delete`` leaves nothing personal, and
    that the plugin's routes refuse the returned object id to a member of another organisation.
    Returns the id of one object the plugin's routes take as a path parameter (or None).
    """


# --- events ------------------------------------------------------------------------------------


@hookspec
def declic_user_enrolled(db: Session, enrolment: Enrolment) -> None:
    """A user was enrolled in a course. *Per organisation.*

    Called by the enrolment pages after the ``Enrolment`` row is flushed, in the same
    transaction (``db``), on the plugins enabled for the course's organisation. Use it to prepare
    the learner's rows (an attendance line, a loan slot). A failure is logged and shown to the
    admin; the enrolment stands. Returns nothing.
    """


@hookspec
def declic_user_unenrolled(db: Session, enrolment: Enrolment) -> None:
    """A user is about to be removed from a course. *Per organisation.*

    Called before the ``Enrolment`` row is deleted, in the same transaction, on the plugins
    enabled for the organisation. Keep history that must outlive the enrolment (grades,
    presences); drop what only made sense while enrolled. Returns nothing.
    """


@hookspec
def declic_user_deleted(db: Session, user_id: int) -> None:
    """A user account was deleted.

    Called by ``declic privacy delete`` on every installed plugin, after every
    ``declic_privacy_delete`` and after core removed the account (so ``user_id`` no longer
    loads), in the same transaction. For caches or counters keyed on the id. Returns nothing.
    """


@hookspec
def declic_plugin_switched(
    db: Session, organisation: Organisation, plugin: str, enabled: bool
) -> None:
    """A plugin was switched on or off for an organisation.

    Called on every installed plugin after the switch is stored, in the same transaction (so the
    plugin being switched hears it too, for instance to create its default rows when switched
    on for the first time). ``plugin`` is the name of the plugin switched. Returns nothing.
    """
