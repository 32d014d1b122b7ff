"""The small value types plugins hand back from their hooks (see ``core/hookspecs.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

AUDIENCES = ("learner", "trainer", "admin")


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says about itself (``declic_plugin_info``)."""

    name: str
    version: str
    description: str
    requires_core: str = ">=0.1"
    # Plugins that must be installed (for instance because this one listens to their hooks).
    depends: tuple[str, ...] = ()
    label: str = ""  # human name, through gettext at display time; defaults to ``name``
    # Plugins that must be switched on in an organisation for this one to be on there.
    # None means "the same as depends"; a plugin that degrades gracefully without one of its
    # dependencies (and says so on its pages) lists fewer.
    needs_enabled: tuple[str, ...] | None = None

    @property
    def enabled_dependencies(self) -> tuple[str, ...]:
        return self.depends if self.needs_enabled is None else self.needs_enabled


@dataclass(frozen=True)
class Access:
    """The access rule every route declares. Checked in one place: ``core.routing``.

    - ``public``: no sign-in needed.
    - ``capability``: checked in the organisation of the URL (or platform-wide without one).
    - ``platform_admin``: only platform admins.
    - ``csrf``: unsafe methods need the CSRF token (never turned off for a form).
    """

    public: bool = False
    capability: str | None = None
    platform_admin: bool = False
    csrf: bool = True


PUBLIC = Access(public=True)
SIGNED_IN = Access()
PLATFORM_ADMIN = Access(platform_admin=True)


def needs(capability: str) -> Access:
    """Shorthand: a signed-in member holding ``capability`` in the organisation of the URL."""
    return Access(capability=capability)


@dataclass(frozen=True)
class PageRoute:
    """A route a plugin serves. ``path`` is relative to ``/o/{org}/{plugin}``; ``endpoint`` is a
    plain function taking the request context (``core.context.RequestContext``) and the path
    parameters as keyword arguments, returning a Response."""

    path: str
    endpoint: Callable[..., Any]
    methods: Sequence[str] = ("GET",)
    access: Access = SIGNED_IN
    name: str | None = None
    label: str = ""  # link text where core lists the page (platform routes): a lazy_gettext string


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    audience: str = "learner"  # who it is shown to: learner, trainer or admin pages
    icon: str = ""
    order: int = 100


@dataclass(frozen=True)
class Widget:
    """A dashboard box. ``template`` is rendered with ``context``; ``title`` goes through gettext
    before it is returned."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class ActivityType:
    """Something a trainer can add to a workshop section (a quiz, an attendance session...)."""

    name: str
    label: str
    description: str = ""
    # (org slug, course id, section id) -> URL of the page that creates one
    create_url: Callable[[str, int, int], str] | None = None
    capability: str | None = None


@dataclass(frozen=True)
class Activity:
    """One activity placed in a section, as listed on the course page."""

    section_id: int
    title: str
    url: str
    kind: str
    icon: str = ""


@dataclass(frozen=True)
class Capability:
    name: str  # "plugin:thing.verb", for instance "quiz:attempt"
    description: str
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class SettingSpec:
    """A per-organisation setting; ``validate`` returns an error message or None."""

    name: str
    label: str
    default: Any
    kind: str = "text"  # text, int, bool, choice, textarea
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    validate: Callable[[Any], str | None] | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class PrivacyField:
    """One kind of personal data a plugin stores (Moodle's privacy metadata)."""

    table: str
    fields: tuple[str, ...]
    purpose: str


@dataclass(frozen=True)
class PluginFailure:
    plugin: str
    hook: str
    error: str
