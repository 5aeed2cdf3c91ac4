"""How long the PDF minutes take to render, against a bare WeasyPrint render of the same length.

Usage: .venv/bin/python bench/minutes_render.py [runs] [results-file]

Issue #8 point 8: the minutes of the seed workshop with 30 agreements and 11 countries'
answers to the 8 trigger questions render in under 5 s on this machine, and in no more than
1.5 times what a bare WeasyPrint render of an HTML table with the same page count takes in
the same run.

* Data: ``seed_demo`` (throwaway SQLite file), then 30 agreements spread over both sessions
  (responsible countries and organisations, due dates, a few withdrawn) and a submitted answer
  of a few paragraphs from each of the 11 countries to each of the 8 questions.
* "Minutes render": the whole task, ``agreements.minutes.minutes_render`` (claim, gather the
  data, build the HTML, WeasyPrint layout and PDF, SHA-256, store): a new draft version per run.
* "Bare render": ``weasyprint.HTML(string=…).write_pdf()`` of a plain ``<table>`` (no
  stylesheet) whose rows are added until it has the minutes' page count.
* Each is run ``runs`` times (default 5) after one warm-up; the medians are compared.
Exits non-zero when a target is missed.
"""

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.mkdtemp()
os.environ.update(
    DJANGO_SETTINGS_MODULE="crm_workshop.settings.local",
    DJANGO_DEBUG="false",
    LOG_LEVEL="ERROR",
    DATABASE_URL=f"sqlite:///{_tmp}/bench.sqlite3",
    MEDIA_ROOT=f"{_tmp}/media",
)
os.environ.pop("REDIS_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.core.management import call_command  # noqa: E402

from agenda.models import Workshop  # noqa: E402
from agreements import minutes as service  # noqa: E402
from agreements import services as agreements  # noqa: E402
from agreements.models import Agreement, Minutes  # noqa: E402
from consultations.models import Answer, TriggerQuestion  # noqa: E402
from participants.models import Country, Organisation, User  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("celery").setLevel(logging.ERROR)

MAX_SECONDS = 5.0
MAX_RATIO = 1.5

ANSWER = (
    "{country} intercambia información sobre rutas, modus operandi y flujos financieros de las "
    "redes de tráfico ilícito de migrantes mediante la red de oficiales de enlace, las alertas "
    "migratorias compartidas y los equipos conjuntos de investigación con sus vecinos.\n\n"
    "Entre los retos identificados figuran la falta de protocolos comunes para compartir "
    "datos personales, la rotación del personal capacitado y la lentitud de la asistencia "
    "judicial mutua. Como oportunidad, la delegación propone una mesa técnica regional que "
    "se reúna cada trimestre y un directorio actualizado de puntos de contacto."
)
AGREEMENT = (
    "Las delegaciones acuerdan {action} antes de la próxima reunión del Grupo de Trabajo, "
    "con el apoyo técnico de los organismos socios y un informe de avance a la Presidencia "
    "Pro-Témpore."
)
ACTIONS = [
    "actualizar el directorio regional de puntos de contacto",
    "compartir sus protocolos de intercambio de información",
    "identificar necesidades de capacitación en investigación financiera",
    "proponer indicadores comunes de seguimiento",
    "designar un enlace para los equipos conjuntos de investigación",
    "revisar los mecanismos de protección a migrantes objeto de tráfico",
]


def seed() -> Workshop:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)
    workshop = Workshop.objects.get()
    staff = User.objects.get(email="secretaria@crm-workshop.test")
    countries = list(Country.objects.order_by("name_es"))
    organisations = list(Organisation.objects.filter(code__in=["OIM", "UNODC"]))
    sessions = list(workshop.sessions.order_by("number"))
    for number in range(30):
        agreement = agreements.agreement_create(
            session=sessions[number % 2],
            by=staff,
            text_es=AGREEMENT.format(action=ACTIONS[number % len(ACTIONS)]),
            countries=countries[number % 11 : number % 11 + 1 + number % 3],
            organisations=organisations[: number % 3],
            term=Agreement.Term.SHORT if number % 2 else Agreement.Term.MEDIUM,
            due_date=dt.date(2022, 9, 30) + dt.timedelta(days=30 * (number % 6)),
            status=Agreement.Status.ADOPTED,
        )
        if number % 10 == 9:
            agreements.agreement_set_status(
                agreement=agreement,
                by=staff,
                status=Agreement.Status.WITHDRAWN,
                expected_version=agreement.version,
            )
    submitted = dt.datetime(2022, 6, 10, 20, 0, tzinfo=dt.UTC)
    for question in TriggerQuestion.objects.filter(workshop=workshop):
        for delegation in workshop.delegations.select_related("country"):
            Answer.objects.update_or_create(
                question=question,
                delegation=delegation,
                defaults={
                    "text": ANSWER.format(country=delegation.country.name_es),
                    "status": Answer.Status.SUBMITTED,
                    "submitted_at": submitted,
                    "submitted_by": staff,
                    "version": 2,
                },
            )
    return workshop


def minutes_once(workshop: Workshop) -> tuple[float, Minutes]:
    minutes, _published = service.minutes_request(
        workshop=workshop, by=None, language="es", publish=False
    )
    start = time.perf_counter()
    done = service.minutes_render(minutes_id=minutes.pk)
    elapsed = time.perf_counter() - start
    assert done is not None
    assert done.render_status == "ready", done.error
    return elapsed, done


def bare_html(rows: int) -> str:
    cells = "".join(
        f"<tr><td>{n}</td><td>Fila de prueba número {n} con algo de texto corrido para "
        f"ocupar la celda como lo haría un acuerdo</td><td>Responsable {n % 11}</td>"
        f"<td>2022-12-{1 + n % 28:02d}</td></tr>"
        for n in range(rows)
    )
    return f"<!DOCTYPE html><html><body><table>{cells}</table></body></html>"


def bare_once(rows: int) -> tuple[float, int]:
    from weasyprint import HTML

    html = bare_html(rows)
    start = time.perf_counter()
    document = HTML(string=html).render()
    document.write_pdf()
    return time.perf_counter() - start, len(document.pages)


def rows_for(pages: int) -> int:
    """The smallest row count whose bare table has ``pages`` pages."""
    low, high = 1, 60 * pages
    while bare_once(high)[1] < pages:
        high *= 2
    while low < high:
        middle = (low + high) // 2
        if bare_once(middle)[1] < pages:
            low = middle + 1
        else:
            high = middle
    assert bare_once(low)[1] == pages
    return low


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    workshop = seed()
    _warm, first = minutes_once(workshop)
    pages = first.page_count
    rows = rows_for(pages)
    bare_once(rows)  # warm-up
    minutes_times, bare_times = [], []
    for _ in range(runs):  # interleaved, so both see the same machine load
        minutes_times.append(minutes_once(workshop)[0])
        elapsed, bare_pages = bare_once(rows)
        assert bare_pages == pages
        bare_times.append(elapsed)
    minutes_median = statistics.median(minutes_times)
    bare_median = statistics.median(bare_times)
    ratio = minutes_median / bare_median
    lines = [
        f"minutes render (seed + 30 agreements + 11 countries x 8 answers): {pages} pages, "
        f"{Path(first.pdf.path).stat().st_size} bytes",
        f"bare table with the same page count: {rows} rows, {pages} pages",
        f"runs: {runs} each, interleaved, after one warm-up",
        "minutes runs (s): " + ", ".join(f"{t:.3f}" for t in minutes_times),
        "bare runs (s):    " + ", ".join(f"{t:.3f}" for t in bare_times),
        f"minutes median: {minutes_median:.3f} s (target < {MAX_SECONDS:.1f} s)",
        f"bare median:    {bare_median:.3f} s",
        f"ratio: {ratio:.2f} (target <= {MAX_RATIO})",
    ]
    ok = minutes_median < MAX_SECONDS and ratio <= MAX_RATIO
    lines.append("result: " + ("PASS" if ok else "FAIL"))
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if out is not None:
        out.write_text(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
