"""The compilation pages are valid HTML (vnu, in one run, with a known-invalid page as a
control that the checker really ran)."""

import pytest
from django.utils import timezone

from consultations.models import Compendium
from tests.consultations.test_compile_views import draft, question, submit
from tests.test_html_valid import JAVA, KNOWN_INVALID, KNOWN_INVALID_ERROR, _get, _vnu_errors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(JAVA is None, reason="Java is not installed: vnu.jar needs it"),
]


def test_every_compile_page_is_valid_html(demo, people, client_as, tmp_path):
    q1 = question(demo, "TQ-S1-1")
    submit(q1, "SV", 'Texto con <b>marcas</b> & "comillas".\n\nSegundo párrafo.')
    submit(q1, "MX", "Respuesta de México.", by=people["delegate"])
    draft(q1, "GT", "Borrador")
    states = {
        "queued": {},
        "rendering": {"progress": 40, "started_at": timezone.now()},
        "failed": {"error": "PdfRenderTimeout: PDF render exceeded 300 s"},
        "done": {"file": "compendia/x.pdf", "sha256": "b" * 64, "page_count": 4},
    }
    compendia = {
        status: Compendium.objects.create(
            workshop=demo, status=status, requested_by=people["staff"], **fields
        )
        for status, fields in states.items()
    }
    pages = {"known invalid page": KNOWN_INVALID}
    staff = client_as(people["staff"])
    for path in ["/consultations/compile/", "/consultations/compile/TQ-S1-1/"]:
        pages[f"{path} (staff)"] = _get(staff, path)
        pages[f"/en{path} (staff)"] = _get(staff, "/en" + path)
    pages["no answers (staff)"] = _get(staff, "/consultations/compile/TQ-S2-1/")
    for status, compendium in compendia.items():
        path = f"/consultations/compile/compendium/{compendium.pk}/"
        pages[f"{path} ({status})"] = _get(staff, path)
    moderator = client_as(people["moderator"])
    for path in ["/consultations/compile/", "/consultations/compile/TQ-S1-1/"]:
        pages[f"{path} (moderator)"] = _get(moderator, path)

    errors = _vnu_errors(pages, tmp_path)

    assert errors.pop("known invalid page") == [KNOWN_INVALID_ERROR]
    assert errors == {}, "\n".join(
        f"{page}:\n  " + "\n  ".join(messages) for page, messages in errors.items()
    )
