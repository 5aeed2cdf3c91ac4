"""Forms people fill in to take part: allauth's sign-up with the participation fields, and the
registration form for an account that has none in the current workshop.

Sign-up has two modes. With an invitation token in the session (put there by the invitation
page), the e-mail is the invited one whatever is posted, and the participation comes from the
invitation. Without one, the person says where they belong and waits for approval.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from allauth.core import context
from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from crm_workshop.timezones import validate_iana_zone
from crm_workshop.validators import single_line, validate_single_line
from participants.models import (
    Delegation,
    Invitation,
    Language,
    Organisation,
    Participant,
    User,
)
from participants.registration import (
    Affiliation,
    InvitationUnavailableError,
    account_for_email,
    invitation_check,
)

# Where the invitation page leaves the token for the sign-up form (and the adapter).
SESSION_INVITATION_KEY = "participants_invitation_token"

LANGUAGE_CHOICES = Language.choices[:2]


def session_invitation(request) -> Invitation | None:
    """The invitation whose link this browser opened, if it can still be accepted."""
    if request is None or not hasattr(request, "session"):
        return None
    token = request.session.get(SESSION_INVITATION_KEY)
    if not token:
        return None
    try:
        return invitation_check(token=token)
    except InvitationUnavailableError:
        return None


class SingleLineInput(forms.TextInput):
    """A text input that shows a refused value with its line breaks as spaces: HTML allows no
    line feed in ``value``, and the error message already says what was wrong."""

    def format_value(self, value):
        value = super().format_value(value)
        return single_line(value) if value else value


def _published_workshop():
    from django.http import Http404

    from agenda.selectors import current_workshop

    try:
        return current_workshop()
    except Http404:
        return None


def _split_full_name(full_name: str) -> tuple[str, str]:
    """``"Ana María López Pérez"`` → ``("Ana María", "López Pérez")``: Spanish names usually
    carry two surnames, so the last two words are the surnames when there are four or more."""
    words = full_name.split()
    if len(words) <= 1:
        return (full_name.strip(), "")
    cut = len(words) - 2 if len(words) >= 4 else len(words) - 1
    return (" ".join(words[:cut]), " ".join(words[cut:]))


class ParticipationFieldsMixin:
    """Country or organisation, institution, position, profile, zone and language."""

    def _add_participation_fields(self, *, workshop) -> None:
        self.workshop = workshop
        delegations = list(
            Delegation.objects.filter(workshop=workshop)
            .select_related("country")
            .order_by("country__name_es")
        )
        self._delegations = {delegation.country_id: delegation for delegation in delegations}
        self.fields["country"] = forms.ChoiceField(
            label=_("País"),
            required=False,
            choices=[("", "—")]
            + [
                (
                    delegation.country_id,
                    _("%(country)s — %(status)s (zona %(zone)s)")
                    % {
                        "country": delegation.country.name,
                        "status": delegation.country.get_crm_status_display(),
                        "zone": delegation.country.time_zone,
                    },
                )
                for delegation in sorted(delegations, key=lambda d: d.country.name)
            ],
            error_messages={
                "invalid_choice": _(
                    "Ese país no tiene delegación en este taller. Elija uno de la lista."
                )
            },
            help_text=_(
                "Si forma parte de la delegación de un país. Déjelo en «—» si representa a "
                "una organización."
            ),
        )
        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("Organización"),
            required=False,
            queryset=Organisation.objects.order_by("name_es"),
            empty_label="—",
            error_messages={
                "invalid_choice": _("Esa organización no existe. Elija una de la lista.")
            },
            help_text=_(
                "Si asiste en nombre de un organismo o de la sociedad civil, en lugar de un país."
            ),
        )
        self.fields["institution"] = forms.CharField(
            label=_("Institución"),
            max_length=255,
            validators=[validate_single_line],
            widget=SingleLineInput,
            help_text=_("Por ejemplo, el ministerio, la fiscalía o el instituto de migración."),
        )
        self.fields["position"] = forms.CharField(
            label=_("Cargo"),
            max_length=255,
            required=False,
            validators=[validate_single_line],
            widget=SingleLineInput,
        )
        self.fields["profile"] = forms.ChoiceField(
            label=_("Perfil"),
            choices=[("", "---------"), *Participant.Profile.choices],
            help_text=_(
                "El taller espera de cada país funcionarios de investigación y "
                "judicialización, de control migratorio y de protección y refugio."
            ),
        )
        self._add_preference_fields(language=get_language())

    def _add_preference_fields(
        self, *, language: str | None, default_zone: str | None = None, country=None
    ) -> None:
        if default_zone:
            help_text = _(
                "Nombre IANA, p. ej. America/Guatemala. Si lo deja vacío: %(zone)s, la zona "
                "de %(place)s."
            ) % {"zone": default_zone, "place": country or _("el taller")}
        else:
            help_text = _(
                "Nombre IANA, p. ej. America/Guatemala. Si lo deja vacío, verá los horarios en "
                "la zona de su país (la que aparece junto a su nombre en la lista de países) "
                "o, si representa a una organización, en la del taller."
            )
        self.fields["time_zone"] = forms.CharField(
            label=_("Zona horaria"),
            max_length=64,
            required=False,
            validators=[validate_iana_zone],
            widget=forms.TextInput(attrs={"placeholder": default_zone} if default_zone else {}),
            help_text=help_text,
        )
        codes = [code for code, _label in LANGUAGE_CHOICES]
        self.fields["language"] = forms.ChoiceField(
            label=_("Idioma"),
            choices=LANGUAGE_CHOICES,
            initial=language if language in codes else "es",
            help_text=_("El idioma de la página tras iniciar sesión y de los correos."),
        )

    def _clean_affiliation(self, cleaned_data: dict) -> None:
        country = cleaned_data.get("country")
        organisation = cleaned_data.get("organisation")
        if "country" in self.errors or "organisation" in self.errors:
            return
        if country and organisation:
            raise forms.ValidationError(
                _("Elija un país o una organización, no ambos."), code="both_affiliations"
            )
        if not country and not organisation:
            raise forms.ValidationError(
                _("Indique el país de su delegación o la organización que representa."),
                code="no_affiliation",
            )
        cleaned_data["affiliation"] = Affiliation(
            delegation=self._delegations.get(country) if country else None,
            organisation=organisation or None,
        )


PARTICIPATION_FIELDS = ("country", "organisation", "institution", "position", "profile")
PREFERENCE_FIELDS = ("time_zone", "language")


class ParticipantSignupForm(ParticipationFieldsMixin, SignupForm):
    """allauth's sign-up (``ACCOUNT_FORMS["signup"]``) with names and participation.

    The account and its participation are written by ``AccountAdapter.save_user`` and
    ``signup()`` below, inside allauth's save; ``try_save`` wraps both in one transaction so
    a refused invitation (used by someone else meanwhile) leaves no account behind.
    """

    first_name = forms.CharField(
        label=pgettext_lazy("nombre de pila", "Nombre"),
        max_length=150,
        validators=[validate_single_line],
        widget=SingleLineInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Apellidos"),
        max_length=150,
        validators=[validate_single_line],
        widget=SingleLineInput(attrs={"autocomplete": "family-name"}),
    )

    def __init__(self, *args, **kwargs):
        request = context.request
        self.invitation = session_invitation(request)
        if self.invitation is not None and kwargs.get("data") is not None:
            # The token is tied to its address: whatever e-mail is posted, this one is used.
            data = kwargs["data"].copy()
            data["email"] = self.invitation.email
            kwargs["data"] = data
        super().__init__(*args, **kwargs)
        if self.invitation is None:
            workshop = _published_workshop()
            if workshop is not None:
                self._add_participation_fields(workshop=workshop)
            else:  # nothing to take part in yet: the account alone (/registration/ later)
                self.workshop = None
                self._add_preference_fields(language=get_language())
        else:
            self.workshop = self.invitation.workshop
            country = self.invitation.delegation.country if self.invitation.delegation_id else None
            self._add_preference_fields(
                language=self.invitation.language,
                default_zone=country.time_zone if country else self.workshop.time_zone,
                country=country.name if country else None,
            )
            email = self.fields["email"]
            email.initial = self.invitation.email
            email.widget.attrs["readonly"] = True
            email.help_text = _(
                "La dirección a la que se envió su invitación. El enlace la confirma: no "
                "recibirá otro correo de verificación."
            )
            first, last = _split_full_name(self.invitation.full_name)
            self.fields["first_name"].initial = first
            self.fields["last_name"].initial = last
        self.fields["email"].label = _("Correo electrónico")
        order = ["email", "first_name", "last_name", "password1", "password2"]
        order += [name for name in PARTICIPATION_FIELDS if name in self.fields]
        order += list(PREFERENCE_FIELDS)
        self.order_fields(order)

    @property
    def fieldsets(self) -> list[tuple[str, list]]:
        """The fields by group, for the template's ``<fieldset>``s."""
        groups = [
            (_("Su cuenta"), ["email", "first_name", "last_name", "password1", "password2"]),
            (_("Su participación"), list(PARTICIPATION_FIELDS)),
            (_("Preferencias"), list(PREFERENCE_FIELDS)),
        ]
        shown = []
        for legend, names in groups:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                shown.append((legend, fields))
        placed = {name for _legend, names in groups for name in names}
        extra = [self[name] for name in self.fields if name not in placed]  # honeypot…
        if extra:
            shown[0][1].extend(extra)
        return shown

    def clean_email(self) -> str:
        if self.invitation is not None:
            email = self.invitation.email.lower()
            if account_for_email(email) is not None:
                # The token proves the address, so saying an account exists leaks nothing.
                raise forms.ValidationError(
                    _(
                        "Ya existe una cuenta con esta dirección. Inicie sesión con ella y "
                        "vuelva a abrir el enlace de la invitación."
                    ),
                    code="invited_account_exists",
                )
            return email
        return super().clean_email()

    def clean(self):
        cleaned_data = super().clean()
        if self.invitation is None and self.workshop is not None:
            try:
                self._clean_affiliation(cleaned_data)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned_data

    def try_save(self, request):
        from django.db import transaction

        try:
            with transaction.atomic():
                return super().try_save(request)
        except InvitationUnavailableError as problem:
            request.session.pop(SESSION_INVITATION_KEY, None)
            # The address was marked proven for this sign-up only (adapter.save_user).
            get_adapter().unstash_verified_email(request)
            from participants.views.registration import invitation_problem_response

            return None, invitation_problem_response(request, problem.reason)

    def signup(self, request, user) -> None:
        """Called by allauth right after the user is saved: the participation."""
        from participants.registration import invitation_accept, registration_create

        if self.invitation is not None:
            invitation_accept(token=self.invitation.token, user=user)
            request.session.pop(SESSION_INVITATION_KEY, None)
            return
        if self.workshop is None:
            return
        data = self.cleaned_data
        registration_create(
            user=user,
            workshop=self.workshop,
            affiliation=data["affiliation"],
            institution=data["institution"],
            position=data["position"],
            profile=data["profile"],
        )


class RegistrationForm(ParticipationFieldsMixin, forms.Form):
    """Registration of a signed-in account with no participation in the current workshop."""

    def __init__(self, *args, workshop, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_participation_fields(workshop=workshop)
        self.fields["time_zone"].initial = user.time_zone
        self.fields["language"].initial = user.language

    def clean(self):
        cleaned_data = super().clean()
        self._clean_affiliation(cleaned_data)
        return cleaned_data


class PreferencesForm(forms.ModelForm):
    """A signed-in person's names, zone and language (``/home/preferences/``)."""

    class Meta:
        model = User
        fields = ("first_name", "last_name", "time_zone", "language")
        widgets = {
            "first_name": SingleLineInput(attrs={"autocomplete": "given-name"}),
            "last_name": SingleLineInput(attrs={"autocomplete": "family-name"}),
            "time_zone": forms.TextInput(attrs={"list": "zone-names", "autocomplete": "off"}),
        }

    def __init__(self, *args, default_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["first_name"].label = pgettext_lazy("nombre de pila", "Nombre")
        self.fields["last_name"].required = True
        self.fields["time_zone"].widget.attrs["placeholder"] = default_zone
        self.fields["time_zone"].help_text = _(
            "Nombre IANA, p. ej. America/Guatemala. Si lo deja vacío verá los horarios en %(zone)s."
        ) % {"zone": default_zone}
        self.fields["language"].help_text = _(
            "El idioma de las páginas tras iniciar sesión y de los correos que reciba."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template's <form> also holds the zone list
        self.helper.disable_csrf = True
