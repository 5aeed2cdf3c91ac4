"""Public pages: overview, agenda, session page, layout, language switch, zones, query counts."""

import datetime as dt
import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agenda.models import AgendaItem, Objective, Participation, Segment, WorkshopPartner
from participants.models import Delegation, Participant, User
from tests.factories import (
    AgendaItemFactory,
    CountryFactory,
    OrganisationFactory,
    ParticipationFactory,
    SessionFactory,
    SpeakerFactory,
    UserFactory,
    WorkshopFactory,
    local,
)

ROOT = Path(settings.BASE_DIR)
DASH = "\u2013"  # en dash between times
MINUS = "\u2212"  # minus sign in UTC offsets


# --- helpers --------------------------------------------------------------------------------------


class _Outline(HTMLParser):
    """Collects headings (level, text), the <html lang>, and elements with role="alert"."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.lang = None
        self.alerts: list[str] = []
        self._heading = None
        self._alert_depth = 0
        self._text: list[str] = []
        self._alert_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            self._text = []
        if attrs.get("role") == "alert" or self._alert_depth:
            self._alert_depth += 1

    def handle_endtag(self, tag):
        if self._heading and tag == f"h{self._heading}":
            self.headings.append((self._heading, " ".join("".join(self._text).split())))
            self._heading = None
        if self._alert_depth:
            self._alert_depth -= 1
            if not self._alert_depth:
                self.alerts.append(" ".join("".join(self._alert_text).split()))
                self._alert_text = []

    def handle_data(self, data):
        if self._heading:
            self._text.append(data)
        if self._alert_depth:
            self._alert_text.append(data)


def outline(response) -> _Outline:
    parser = _Outline()
    parser.feed(response.content.decode())
    return parser


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(time|span|strong|em|a|abbr)\b[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def first_block_start(response) -> str:
    """The visible start time of the first agenda block."""
    html = response.content.decode()
    block = html[html.index('class="agenda-item"') :]
    return re.search(r"<time datetime=\"([^\"]+)\">(\d\d:\d\d)</time>", block).group(2)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- a small workshop built from factories --------------------------------------------------------


@pytest.fixture
def workshop(db):
    """Two sessions (14 and 15 June 2022, 10:00-12:00 San Salvador) with every kind of person."""
    organiser = OrganisationFactory(
        code="CRM-GTGF", name_es="Grupo de Trabajo sobre Gestión Fronteriza", acronym_es="GTGF"
    )
    workshop = WorkshopFactory(
        title_es="Intercambio técnico sobre tráfico ilícito de migrantes",
        title_en="Technical exchange on the smuggling of migrants",
        organiser=organiser,
        methodology_es="Dos sesiones virtuales de dos horas.",
        target_audience_es="Integrantes técnicos del Grupo de Trabajo.",
        time_zone="America/El_Salvador",
        time_zone_confirmed=False,
    )
    oim = OrganisationFactory(
        code="OIM", name_es="Organización Internacional para las Migraciones", acronym_es="OIM"
    )
    WorkshopPartner.objects.create(workshop=workshop, organisation=oim, role_es="apoyo", order=1)
    for order in range(1, 6):
        Objective.objects.create(workshop=workshop, order=order, text_es=f"Objetivo número {order}")
    first = SessionFactory(
        workshop=workshop,
        number=1,
        label_es="Sesión 1",
        title_es="Investigación policial",
        title_en="Police investigation",
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 12),
    )
    SessionFactory(
        workshop=workshop,
        number=2,
        label_es="Sesión 2",
        title_es="Cooperación judicial",
        title_en="Judicial cooperation",
        start=local(2022, 6, 15, 10),
        end=local(2022, 6, 15, 12),
    )
    opening = AgendaItemFactory(
        session=first,
        order=1,
        start=local(2022, 6, 14, 10),
        end=local(2022, 6, 14, 10, 20),
        kind=AgendaItem.Kind.CLOSING,
        secondary_kind=AgendaItem.Kind.DIALOGUE,
        title_es="Palabras de inauguración",
        title_en="Opening remarks",
    )
    unodc = OrganisationFactory(
        code="UNODC",
        name_es="Oficina de las Naciones Unidas contra la Droga y el Delito",
        acronym_es="UNODC",
    )
    ParticipationFactory(
        agenda_item=opening,
        order=1,
        status=Participation.Status.TO_BE_CONFIRMED,
        speaker=SpeakerFactory(
            name="", position_es="Representante Regional de UNODC", organisation=unodc
        ),
    )
    ParticipationFactory(
        agenda_item=opening,
        order=2,
        status=Participation.Status.TO_BE_DEFINED,
        speaker=SpeakerFactory(
            name="", position_es="Presidencia Pro-Témpore", organisation=organiser
        ),
    )
    ParticipationFactory(
        agenda_item=opening,
        order=3,
        role=Participation.Role.MODERATOR,
        speaker=SpeakerFactory(name="Ana Moderadora", organisation=organiser),
    )
    segment = Segment.objects.create(
        agenda_item=opening, order=1, title_es="Experiencia regional", duration_minutes=30
    )
    segment.countries.set(
        [
            CountryFactory(
                iso_code="GT",
                name_es="Guatemala",
                name_en="Guatemala",
                time_zone="America/Guatemala",
            ),
            CountryFactory(
                iso_code="HN",
                name_es="Honduras",
                name_en="Honduras",
                time_zone="America/Tegucigalpa",
            ),
        ]
    )
    interpol = OrganisationFactory(code="INTERPOL", name_es="INTERPOL", acronym_es="")
    ParticipationFactory(
        agenda_item=None,
        segment=segment,
        role=Participation.Role.PRESENTER,
        speaker=SpeakerFactory(name="", position_es="", organisation=interpol),
    )
    Participation.objects.create(
        segment=Segment.objects.create(agenda_item=opening, order=2, title_es="Sin ponente"),
        speaker=None,
        role=Participation.Role.PRESENTER,
        status=Participation.Status.NOT_STATED,
    )
    CountryFactory()  # El Salvador
    CountryFactory(
        iso_code="MX", name_es="México", name_en="Mexico", time_zone="America/Mexico_City"
    )
    CountryFactory(iso_code="CA", name_es="Canadá", name_en="Canada", time_zone="America/Toronto")
    return workshop


# --- overview -------------------------------------------------------------------------------------


def test_home_without_published_workshop_is_friendly_404(client, db):
    WorkshopFactory(is_published=False)

    response = client.get("/")

    assert response.status_code == 404
    assert outline(response).headings[0] == (1, "Página no encontrada")
    assert "todavía no se haya publicado ningún taller" in text_of(response)


def test_home_shows_newest_published_workshop(client, workshop):
    WorkshopFactory(title_es="Borrador sin publicar", is_published=False)

    response = client.get(reverse("agenda:home"))

    assert response.status_code == 200
    page = text_of(response)
    assert outline(response).headings[0] == (
        1,
        "Intercambio técnico sobre tráfico ilícito de migrantes",
    )
    assert "Organiza: Grupo de Trabajo sobre Gestión Fronteriza (GTGF)" in page
    assert "Con el apoyo de: Organización Internacional para las Migraciones (OIM)" in page
    assert [f"Objetivo número {n}" in page for n in range(1, 6)] == [True] * 5
    assert "Dos sesiones virtuales de dos horas." in page
    assert "Integrantes técnicos del Grupo de Trabajo." in page
    assert (
        f"Martes, 14 de junio de 2022 10:00{DASH}12:00 (America/El_Salvador, UTC{MINUS}06:00)"
        in page
    )
    assert (
        f"Miércoles, 15 de junio de 2022 10:00{DASH}12:00 (America/El_Salvador, UTC{MINUS}06:00)"
        in page
    )
    assert 'href="/agenda/session/1/"' in response.content.decode()


def test_page_headings_are_in_order_with_one_h1(client, workshop):
    for url in ("/", "/agenda/", "/agenda/session/1/", "/accounts/login/"):
        levels = [level for level, _text in outline(client.get(url)).headings]

        assert levels.count(1) == 1, url
        assert levels[0] == 1, url
        assert all(b - a <= 1 for a, b in pairwise(levels)), (url, levels)


# --- agenda ---------------------------------------------------------------------------------------


def test_agenda_shows_blocks_people_and_statuses(client, workshop):
    response = client.get(reverse("agenda:agenda"))

    assert response.status_code == 200
    page = text_of(response)
    html = response.content.decode()
    assert "Sesión 1: Investigación policial" in page
    assert "Sesión 2: Cooperación judicial" in page
    assert f"10:00{DASH}10:20 Palabras de inauguración" in page
    assert "Cierre · Diálogo" in page
    assert "Modera: Ana Moderadora" in page
    assert "Representante Regional de UNODC Por confirmar" in page
    assert "Presidencia Pro-Témpore Por definir" in page
    assert "Experiencia regional (30 min)" in page
    assert "Países: Guatemala, Honduras" in page
    assert "Presenta: INTERPOL" in page
    assert "Presenta: No indicado" in page
    assert (
        '<span class="badge badge-status badge-status-to_be_confirmed">Por confirmar</span>' in html
    )
    assert html.count("badge-status-to_be_defined") == 1
    assert html.count("badge-status-not_stated") == 1
    assert "Confirmado" not in page
    assert "Agenda preliminar" in page
    assert "Zona horaria de referencia por confirmar." in page


def test_agenda_final_and_confirmed_zone_has_no_marks(client, workshop):
    workshop.agenda_status = workshop.AgendaStatus.FINAL
    workshop.time_zone_confirmed = True
    workshop.save()

    page = text_of(client.get(reverse("agenda:agenda")))

    assert "Agenda preliminar" not in page
    assert "por confirmar." not in page


def test_agenda_session_page_shows_one_session(client, workshop):
    response = client.get(reverse("agenda:session", kwargs={"number": 2}))

    assert response.status_code == 200
    assert outline(response).headings[0] == (1, "Sesión 2: Cooperación judicial")
    assert "Investigación policial" not in text_of(response)


@pytest.mark.parametrize("number", ["9", "99999999999999999999999"])
def test_agenda_unknown_session_is_404(client, workshop, number):
    response = client.get(f"/agenda/session/{number}/")

    assert response.status_code == 404
    assert outline(response).headings[0] == (1, "Página no encontrada")


@pytest.mark.parametrize("first", ["/agenda/", "/agenda/session/0/"])
def test_agenda_session_zero_is_404_and_does_not_touch_full_agenda(client, workshop, first):
    client.get(first)

    zero = client.get("/agenda/session/0/")
    full = client.get("/agenda/")

    assert zero.status_code == 404
    assert [text for level, text in outline(full).headings if level == 2] == [
        "Sesión 1: Investigación policial",
        "Sesión 2: Cooperación judicial",
    ]


@pytest.mark.parametrize(
    ("zone", "start", "label"),
    [
        ("America/Mexico_City", "11:00", "America/Mexico_City (UTC\u221205:00)"),
        ("America/Toronto", "12:00", "America/Toronto (UTC\u221204:00)"),
        ("UTC", "16:00", "UTC (UTC+00:00)"),
    ],
)
def test_agenda_tz_converts_with_2022_rules(client, workshop, zone, start, label):
    response = client.get(reverse("agenda:agenda"), {"tz": zone})

    assert first_block_start(response) == start
    assert f"Horarios en {label}." in text_of(response)
    assert f'<option value="{zone}" selected>' in response.content.decode()
    assert outline(response).alerts == []


def test_agenda_without_tz_uses_workshop_zone(client, workshop):
    response = client.get(reverse("agenda:agenda"))

    assert first_block_start(response) == "10:00"
    assert "Horarios en America/El_Salvador (UTC\u221206:00)." in text_of(response)


@pytest.mark.parametrize(
    "bad", ["Mars/Olympus", "", "../etc", "America/Mexico_City\x00", "x" * 500]
)
def test_agenda_bad_tz_shows_notice_and_workshop_zone(client, workshop, bad):
    response = client.get(reverse("agenda:agenda"), {"tz": bad})

    assert response.status_code == 200
    alerts = outline(response).alerts
    assert len(alerts) == 1
    assert "no es una zona horaria válida" in alerts[0]
    assert "America/El_Salvador" in alerts[0]
    assert first_block_start(response) == "10:00"
    assert "Horarios en America/El_Salvador (UTC\u221206:00)." in text_of(response)


def test_home_bad_tz_shows_notice_and_workshop_zone(client, workshop):
    response = client.get("/", {"tz": "Mars/Olympus"})

    assert response.status_code == 200
    assert outline(response).alerts == [
        "«Mars/Olympus» no es una zona horaria válida. Se muestran los horarios en la zona de "
        "referencia del taller, America/El_Salvador."
    ]
    assert f"Horarios en America/El_Salvador (UTC{MINUS}06:00)." in text_of(response)


def test_agenda_bad_tz_is_escaped(client, workshop):
    response = client.get(reverse("agenda:agenda"), {"tz": "<script>alert(1)</script>"})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


def test_agenda_signed_in_user_sees_own_zone(client, workshop):
    user = UserFactory(time_zone="America/Toronto")
    client.force_login(user)

    response = client.get(reverse("agenda:agenda"))

    assert first_block_start(response) == "12:00"
    assert "Horarios en America/Toronto (UTC\u221204:00)." in text_of(response)


def test_agenda_delegate_without_zone_sees_delegation_country_zone(client, workshop):
    user = UserFactory(time_zone="")
    delegation = Delegation.objects.create(workshop=workshop, country=CountryFactory(iso_code="MX"))
    Participant.objects.create(user=user, workshop=workshop, delegation=delegation)
    client.force_login(user)

    response = client.get(reverse("agenda:agenda"))

    assert first_block_start(response) == "11:00"
    assert "Horarios en America/Mexico_City (UTC\u221205:00)." in text_of(response)


def test_agenda_zone_form_offers_country_zones_and_utc(client, workshop):
    html = client.get(reverse("agenda:agenda")).content.decode()

    form = html[
        html.index('<form method="get"') : html.index("</form>", html.index('<form method="get"'))
    ]
    assert '<label for="tz-select"' in form
    assert re.findall(r'<option value="([^"]+)"', form) == [
        "America/Toronto",
        "America/El_Salvador",
        "America/Guatemala",
        "America/Tegucigalpa",
        "America/Mexico_City",
        "UTC",
    ]


def test_agenda_english_shows_english_content(client, workshop):
    response = client.get("/en/agenda/")

    assert response.status_code == 200
    assert outline(response).lang == "en"
    page = text_of(response)
    assert "Police investigation" in page
    assert "Opening remarks" in page
    assert "Technical exchange on the smuggling of migrants" in page


def test_agenda_spanish_is_the_default_language(client, workshop):
    response = client.get("/agenda/")

    assert outline(response).lang == "es"
    assert "Palabras de inauguración" in text_of(response)


def _agenda_with_blocks(count: int):
    workshop = WorkshopFactory()
    session = SessionFactory(
        workshop=workshop, number=1, start=local(2022, 6, 14, 8), end=local(2022, 6, 14, 20)
    )
    for order in range(1, count + 1):
        start = session.start + dt.timedelta(minutes=10 * (order - 1))
        item = AgendaItemFactory(
            session=session, order=order, start=start, end=start + dt.timedelta(minutes=10)
        )
        ParticipationFactory(agenda_item=item)
        segment = Segment.objects.create(
            agenda_item=item, order=1, title_es=f"Intervención {order}"
        )
        segment.countries.add(CountryFactory())
        ParticipationFactory(agenda_item=None, segment=segment, role=Participation.Role.PRESENTER)
    return workshop


def _count_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # ATOMIC_REQUESTS wraps the view in a savepoint inside the test transaction: not a query.
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    return len(sql), response.content.decode()


@pytest.mark.parametrize("url", ["/agenda/", "/agenda/session/1/", "/"])
def test_agenda_query_count_does_not_grow_with_blocks(client, db, url):
    workshop = _agenda_with_blocks(1)
    one_block, _html = _count_queries(client, url)
    workshop.delete()
    _agenda_with_blocks(50)

    fifty_blocks, html = _count_queries(client, url)

    assert fifty_blocks == one_block
    if url != "/":
        assert html.count('class="agenda-item"') == 50


def test_agenda_query_count_is_small(client, db):
    _agenda_with_blocks(5)

    count, _html = _count_queries(client, "/agenda/")

    # workshop, sessions, blocks, block people, segments, segment people, countries, zone list
    assert count == 8


def test_agenda_second_request_is_served_from_cache(client, workshop):
    first, first_html = _count_queries(client, "/agenda/")

    second, second_html = _count_queries(client, "/agenda/")

    assert (first, second) == (8, 0)
    assert second_html == first_html


@pytest.mark.parametrize(
    "edit",
    ["item_title", "segment_countries", "participation_status", "speaker_delete", "session_time"],
)
def test_agenda_edit_shows_on_next_request(client, workshop, edit):
    client.get("/agenda/")
    item = AgendaItem.objects.get(title_es="Palabras de inauguración")
    segment = Segment.objects.get(title_es="Experiencia regional")
    unodc = Participation.objects.get(speaker__position_es="Representante Regional de UNODC")
    if edit == "item_title":
        item.title_es = "Palabras de bienvenida"
        item.save()
        expected, gone = "Palabras de bienvenida", "Palabras de inauguración"
    elif edit == "segment_countries":
        segment.countries.remove("HN")
        expected, gone = "Países: Guatemala", "Guatemala, Honduras"
    elif edit == "participation_status":
        unodc.status = Participation.Status.CONFIRMED
        unodc.save()
        expected, gone = "Representante Regional de UNODC", "UNODC Por confirmar"
    elif edit == "speaker_delete":
        unodc.delete()
        expected, gone = "Palabras de inauguración", "Representante Regional de UNODC"
    else:
        session = item.session
        session.start = local(2022, 6, 14, 9)
        session.save()
        expected, gone = f"14 de junio de 2022 · 09:00{DASH}12:00", "14 de junio de 2022 · 10:00"

    page = text_of(client.get("/agenda/"))

    assert expected in page
    assert gone not in page


def test_agenda_cache_keeps_languages_and_zones_apart(client, workshop):
    spanish = text_of(client.get("/agenda/"))
    english = text_of(client.get("/en/agenda/"))
    toronto = client.get("/agenda/", {"tz": "America/Toronto"})

    assert "Palabras de inauguración" in spanish
    assert "Opening remarks" in english
    assert "Palabras de inauguración" not in english
    assert first_block_start(toronto) == "12:00"


def test_agenda_works_when_cache_is_down(client, workshop, settings):
    # A real Redis client pointed at a closed port: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = client.get("/agenda/", {"tz": "America/Mexico_City"})

    assert response.status_code == 200
    assert first_block_start(response) == "11:00"


# --- every role may read the public pages ---------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "delegate", "staff"])
@pytest.mark.parametrize(
    "url", ["/", "/agenda/", "/agenda/session/1/", "/agenda.ics", "/en/agenda/"]
)
def test_public_pages_open_to_every_role(client, workshop, role, url):
    if role == "delegate":
        user = UserFactory()
        delegation = Delegation.objects.create(workshop=workshop, country=CountryFactory())
        Participant.objects.create(user=user, workshop=workshop, delegation=delegation)
        client.force_login(user)
    elif role == "staff":
        client.force_login(UserFactory(is_staff=True))

    response = client.get(url)

    assert response.status_code == 200


def test_header_links_follow_the_role(client, workshop):
    anonymous = text_of(client.get("/"))
    client.force_login(UserFactory(is_staff=True))
    staff = text_of(client.get("/"))

    assert "Iniciar sesión" in anonymous
    assert "Administración" not in anonymous
    assert "Cerrar sesión" in staff
    assert "Administración" in staff


# --- layout ---------------------------------------------------------------------------------------


def test_layout_has_skip_link_language_switcher_and_local_bootstrap(client, workshop):
    html = client.get("/agenda/?tz=America/Toronto").content.decode()

    assert '<a class="visually-hidden-focusable skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<link rel="stylesheet" href="/static/vendor/bootstrap/bootstrap.min.css">' in html
    assert '<script src="/static/vendor/bootstrap/bootstrap.bundle.min.js" defer></script>' in html
    assert "cdn" not in html.lower()
    assert (
        '<div class="language-switcher ms-lg-3" role="group" '
        'aria-labelledby="language-switcher-label">'
    ) in html
    assert "csrfmiddlewaretoken" not in html
    assert '<footer class="site-footer' in html


def _switcher_links(response) -> dict[str, tuple[str, bool]]:
    """Language code -> (href, aria-current) of the language switcher's links."""
    html = response.content.decode()
    switcher = html[html.index('class="language-switcher') :]
    switcher = switcher[: switcher.index("</div>")]
    return {
        code: (href.replace("&amp;", "&"), current == ' aria-current="true"')
        for href, code, current in re.findall(
            r'<a href="([^"]*)" hreflang="(\w+)" lang="\2"\s+class="[^"]*"\s*'
            r'( aria-current="true")?>',
            switcher,
        )
    }


def test_language_switcher_links_each_language_with_current_marked(client, workshop):
    links = _switcher_links(client.get("/agenda/?tz=America/Toronto"))

    assert links == {
        "es": ("/agenda/?tz=America%2FToronto", True),
        "en": ("/en/agenda/?tz=America%2FToronto", False),
    }


@pytest.mark.parametrize(
    ("page", "language", "landing"),
    [
        ("/agenda/?tz=America/Toronto", "en", "/en/agenda/?tz=America%2FToronto"),
        ("/en/agenda/session/2/", "es", "/agenda/session/2/"),
        ("/en/agenda/", "en", "/en/agenda/"),
        ("/", "en", "/en/"),
        ("/accounts/login/?next=/agenda/", "en", "/en/accounts/login/?next=%2Fagenda%2F"),
        ("/en/no-such-page/", "es", "/no-such-page/"),
    ],
)
def test_language_switcher_lands_on_same_page_in_other_language(
    client, workshop, page, language, landing
):
    href, _current = _switcher_links(client.get(page))[language]

    response = client.get(href)

    assert href == landing
    assert response.status_code == (404 if "no-such-page" in page else 200)
    assert outline(response).lang == language


def test_bootstrap_is_vendored_with_licence():
    vendor = ROOT / "static" / "vendor" / "bootstrap"

    assert (
        (vendor / "bootstrap.min.css")
        .read_text()
        .startswith('@charset "UTF-8";/*!\n * Bootstrap  v5.3')
    )
    assert "Bootstrap v5.3" in (vendor / "bootstrap.bundle.min.js").read_text()[:200]
    assert "The MIT License" in (vendor / "LICENSE").read_text()


def test_templates_have_no_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if {"email", "pdf"} & set(path.relative_to(ROOT / "templates").parts):
            continue  # mail clients and WeasyPrint need inline CSS; no browser CSP applies
        source = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source) or re.search(
            r"<style\b|\sstyle=\"|\son[a-z]+=\"", source
        ):
            offenders.append(str(path.relative_to(ROOT)))

    assert offenders == []


def test_status_badge_colours_meet_aa_contrast():
    css = (ROOT / "static" / "css" / "site.css").read_text()
    pairs = {}
    for name in ("to_be_confirmed", "to_be_defined", "not_stated"):
        rule = re.search(r"\.badge-status-" + name + r"\s*\{([^}]*)\}", css).group(1)
        background = re.search(r"background-color:\s*(#[0-9a-f]{6})", rule).group(1)
        foreground = re.search(r"(?<!-)color:\s*(#[0-9a-f]{6})", rule).group(1)
        pairs[name] = round(contrast(foreground, background), 1)

    assert min(pairs.values()) >= 4.5, pairs


def test_allauth_login_uses_site_layout(client, db):
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert outline(response).lang == "es"
    assert '<header class="site-header">' in html
    assert '<main id="main" class="container flex-grow-1 py-4 account-page"' in html
    assert '<footer class="site-footer' in html
    assert re.search(r"<title>\s*\S.*· CRM · Intercambio técnico</title>", html, re.S)


def test_allauth_login_in_english_has_english_lang(client, db):
    response = client.get("/en/accounts/login/")

    assert response.status_code == 200
    assert outline(response).lang == "en"
    assert outline(response).headings == [(1, "Sign In")]


# --- the concept-note workshop (seed_demo) --------------------------------------------------------


def test_demo_home_in_spanish(client, demo):
    response = client.get("/")

    page = text_of(response)
    assert response.status_code == 200
    assert outline(response).headings[0] == (1, demo.title_es)
    assert page.count("Sesión 1: Investigación e inteligencia policial") == 1
    assert "Sesión virtual 2: Cooperación judicial transfronteriza y Protección" in page
    assert (
        len(
            re.findall(r"<ol class=\"objectives\">(.*?)</ol>", response.content.decode(), re.S)[
                0
            ].split("<li>")
        )
        == 6
    )
    assert "Agenda preliminar" in page


def test_demo_agenda_in_spanish(client, demo):
    response = client.get("/agenda/")

    page = text_of(response)
    assert response.status_code == 200
    assert outline(response).headings[0] == (1, "Agenda")
    assert [text for level, text in outline(response).headings if level == 2] == [
        "Sesión 1: Investigación e inteligencia policial sobre Tráfico Ilícito de Personas "
        "Migrantes",
        "Sesión virtual 2: Cooperación judicial transfronteriza y Protección",
    ]
    assert "Agenda preliminar" in page
    assert "Zona horaria de referencia por confirmar." in page
    assert "Representante Regional de UNODC Por confirmar" in page
    assert "Presidencia Pro-Témpore Por definir" in page
    assert "No indicado" in page
    assert "Modera:" in page
    assert "(30 min)" in page
    assert "(20 min)" in page
    assert "Cierre · Diálogo" in page
    assert "Michele Klein-Solomon" in page
    assert "INTERPOL" in page
    assert first_block_start(response) == "10:00"


def test_demo_agenda_in_english(client, demo):
    response = client.get("/en/agenda/")

    page = text_of(response)
    assert outline(response).lang == "en"
    assert "Police investigation and intelligence on the smuggling of migrants" in page
    assert "Cross-border judicial cooperation and protection" in page
    assert "Opening remarks" in page
    assert "UNODC Regional Representative" in page


def test_demo_agenda_mexican_delegate_sees_mexico_city(client, demo):
    client.force_login(User.objects.get(email="delegada.mx@crm-workshop.test"))

    response = client.get("/agenda/")

    assert first_block_start(response) == "11:00"
    assert "Horarios en America/Mexico_City (UTC\u221205:00)." in text_of(response)


@pytest.mark.parametrize(
    "email",
    [
        None,
        "delegado.sv@crm-workshop.test",
        "secretaria@crm-workshop.test",
        "observador@crm-workshop.test",
    ],
)
def test_demo_pages_open_to_each_role(client, demo, email):
    if email:
        client.force_login(User.objects.get(email=email))

    statuses = [
        client.get(url).status_code
        for url in ("/", "/agenda/", "/agenda/session/2/", "/agenda.ics")
    ]

    assert statuses == [200, 200, 200, 200]


def test_demo_unknown_session_is_404(client, demo):
    assert client.get("/agenda/session/3/").status_code == 404
