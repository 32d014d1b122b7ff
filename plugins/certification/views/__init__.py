"""The certification plugin's routes, mounted under ``/o/{org}/certification``."""

from __future__ import annotations

from core.contracts import PUBLIC, SIGNED_IN, PageRoute, needs
from plugins.certification.views import certs, detail, frameworks, grid, learner, verify

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
ASSESS = needs("certification:assess")
COURSE = "/courses/{course_id}"
LEARNER = COURSE + "/learners/{user_id}"

ROUTES = [
    PageRoute("/", grid.index, GET, ASSESS, "index"),
    PageRoute("/me", learner.mine, GET, needs("certification:view_own"), "mine"),
    PageRoute(COURSE, grid.grid, GET, ASSESS, "grid"),
    PageRoute(COURSE + "/export.csv", grid.export_csv, GET, ASSESS, "export_csv"),
    PageRoute(COURSE + "/export.xlsx", grid.export_xlsx, GET, ASSESS, "export_xlsx"),
    PageRoute(COURSE + "/workshops", frameworks.workshops_page, BOTH, ASSESS, "workshops"),
    PageRoute(LEARNER, detail.detail, GET, ASSESS, "learner"),
    PageRoute(LEARNER + "/observe", detail.observe, POST, ASSESS, "observe"),
    PageRoute(LEARNER + "/issue", certs.issue, POST, needs("certification:issue"), "issue"),
    PageRoute(
        "/certificates", certs.certificate_list, GET, needs("certification:issue"), "certificates"
    ),
    PageRoute("/certificates/{cert_id}", certs.show, GET, SIGNED_IN, "certificate"),
    PageRoute("/certificates/{cert_id}/pdf", certs.pdf, GET, SIGNED_IN, "certificate_pdf"),
    PageRoute(
        "/certificates/{cert_id}/revoke",
        certs.revoke_view,
        POST,
        needs("certification:revoke"),
        "revoke",
    ),
    PageRoute("/verify", verify.verify_form, GET, PUBLIC, "verify_form"),
    PageRoute("/verify/{code}", verify.verify, GET, PUBLIC, "verify"),
    PageRoute(
        "/frameworks",
        frameworks.frameworks_page,
        BOTH,
        needs("certification:frameworks"),
        "frameworks",
    ),
]
