"""ctx.get and ctx.get_with: a row of another organisation, a row whose parent is another
organisation's, or an id that is not an id, is "not found" — never a 500, never a leak."""

from __future__ import annotations

import pytest

from core.context import RequestContext
from core.errors import NotFound
from core.models import Course, Section


@pytest.fixture
def two_orgs(declic):
    a, b = declic.org("scope-a"), declic.org("scope-b")
    course_a = declic.course(a, sections=1)
    course_b = declic.course(b, sections=1)
    with declic.db() as db:
        section_a = db.query(Section).filter_by(course_id=course_a.id).one()
        # A section filed under A but pointing at B's course: only a bug could write it, and
        # get_with must not hand B's course out through it.
        crossed = Section(organisation_id=a.id, course_id=course_b.id, title="crossed")
        db.add(crossed)
        db.commit()
        return declic, a, b, section_a.id, course_a.id, crossed.id


def _ctx(declic, org, db):
    return RequestContext(request=None, app=declic.state, db=db, organisation=org)  # type: ignore[arg-type]


def test_get_with_loads_the_row_and_its_parent_in_one_statement(two_orgs):
    declic, a, _b, section_id, course_id, _crossed = two_orgs
    with declic.db() as db:
        section, course = _ctx(declic, a, db).get_with(
            Section, str(section_id), Course, "course_id"
        )
        assert (section.id, course.id) == (section_id, course_id)


def test_get_with_refuses_other_organisations_rows_and_parents(two_orgs):
    declic, a, b, section_id, _course_id, crossed = two_orgs
    with declic.db() as db:
        with pytest.raises(NotFound):  # A's row, asked through B
            _ctx(declic, b, db).get_with(Section, section_id, Course, "course_id")
        with pytest.raises(NotFound):  # A's row whose parent is B's
            _ctx(declic, a, db).get_with(Section, crossed, Course, "course_id")


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "", None, str(2**63), "9" * 30])
def test_ids_that_are_not_row_ids_are_not_found(two_orgs, bad):
    declic, a, *_rest = two_orgs
    with declic.db() as db:
        ctx = _ctx(declic, a, db)
        with pytest.raises(NotFound):
            ctx.get(Section, bad)
        with pytest.raises(NotFound):
            ctx.get_with(Section, bad, Course, "course_id")
