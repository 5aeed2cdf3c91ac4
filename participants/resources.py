"""django-import-export resources for invitations: the invitee import and the export."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from import_export import fields, resources

from crm_workshop.exports import FormulaSafeExportMixin
from crm_workshop.validators import LINE_BREAKS
from participants.models import Country, Delegation, Invitation, Organisation, Participant

TEXT_COLUMNS = ("name", "email", "country", "organisation", "institution", "position")


def _profile_lookup() -> dict[str, str]:
    """Every accepted spelling of a profile (its value, its Spanish and English labels),
    case-folded, to the stored value."""
    from django.utils import translation

    lookup = {}
    for value, label in Participant.Profile.choices:
        lookup[value.casefold()] = value
        for language in ("es", "en"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    return lookup


class InvitationImportResource(resources.ModelResource):
    """One invitee list row → one ``draft`` invitation in ``workshop``, created by ``user``.

    Every row is checked before anything is written and each problem of a row is reported
    (in the active language): a missing name, a bad or repeated e-mail (case-insensitive,
    within the file or already invited to the workshop), a country that is unknown or has no
    delegation in the workshop, an unknown organisation, both or neither of them, an unknown
    profile or language, and line breaks. A failing row raises ``ValidationError`` with the
    list of its messages; the admin decides whether valid rows are written.
    """

    class Meta:
        model = Invitation
        fields = ("email",)
        skip_diff = True
        store_row_values = True
        use_transactions = True
        clean_model_instances = False  # every check is ours, with our messages

    def __init__(self, *, workshop, user, **kwargs):
        super().__init__(**kwargs)
        self.workshop = workshop
        self.user = user

    def before_import(self, dataset, **kwargs):
        # Loaded once per file: the row checks then cost no query.
        self._seen_emails: dict[str, int] = {}
        self._invited = {
            email.casefold()
            for email in Invitation.objects.filter(workshop=self.workshop).values_list(
                "email", flat=True
            )
        }
        self._countries = {country.iso_code: country for country in Country.objects.all()}
        self._delegations = {
            delegation.country_id: delegation
            for delegation in Delegation.objects.filter(workshop=self.workshop)
        }
        self._organisations = {
            organisation.code.casefold(): organisation
            for organisation in Organisation.objects.all()
        }
        self._profiles = _profile_lookup()

    def get_or_init_instance(self, instance_loader, row):
        return self.init_instance(row), True  # an import only ever adds invitations

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not any(str(row.get(column) or "").strip() for column in row)

    def import_instance(self, instance, row, **kwargs):
        values = {column: str(row.get(column) or "").strip(" ") for column in row}
        if not any(value.strip() for value in values.values()):
            return  # a blank row, skipped
        errors: list[str] = []
        number = kwargs.get("row_number")

        for column in TEXT_COLUMNS:
            if any(mark in values.get(column, "") for mark in LINE_BREAKS):
                errors.append(
                    gettext("«%(column)s» tiene saltos de línea: debe ocupar una sola línea.")
                    % {"column": column}
                )

        name = values.get("name", "").strip()
        if not name:
            errors.append(gettext("Falta el nombre."))

        email = values.get("email", "").strip()
        if not email:
            errors.append(gettext("Falta el correo electrónico."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    gettext("«%(email)s» no es un correo electrónico válido.") % {"email": email}
                )
            else:
                key = email.casefold()
                if key in self._seen_emails:
                    errors.append(
                        gettext("El correo %(email)s ya está en la fila %(row)s de este archivo.")
                        % {"email": email, "row": self._seen_emails[key] + 1}
                    )
                else:
                    self._seen_emails[key] = number
                if key in self._invited:
                    errors.append(
                        gettext("%(email)s ya tiene una invitación a este taller.")
                        % {"email": email}
                    )

        code = values.get("country", "").strip().upper()
        organisation_code = values.get("organisation", "").strip()
        delegation = organisation = None
        if code and organisation_code:
            errors.append(gettext("Indique un país o una organización, no ambos."))
        elif not code and not organisation_code:
            errors.append(gettext("Falta el país (código ISO) o la organización (código)."))
        elif code:
            country = self._countries.get(code)
            if country is None:
                errors.append(gettext("País desconocido: «%(code)s».") % {"code": code})
            else:
                delegation = self._delegations.get(code)
                if delegation is None:
                    errors.append(
                        gettext("%(country)s no tiene delegación en este taller.")
                        % {"country": country}
                    )
        else:
            organisation = self._organisations.get(organisation_code.casefold())
            if organisation is None:
                errors.append(
                    gettext("Organización desconocida: «%(code)s».") % {"code": organisation_code}
                )

        profile_text = values.get("profile", "").strip()
        profile = self._profiles.get(profile_text.casefold()) if profile_text else "other"
        if profile is None:
            errors.append(
                gettext("Perfil desconocido: «%(profile)s». Use uno de: %(choices)s.")
                % {
                    "profile": profile_text,
                    "choices": ", ".join(str(label) for label in Participant.Profile.labels),
                }
            )

        language = values.get("language", "").strip().lower()
        if language and language not in ("es", "en"):
            errors.append(
                gettext("Idioma desconocido: «%(language)s». Use es o en.")
                % {"language": values.get("language", "")}
            )
        if not language:
            working = delegation.country.working_language if delegation else "es"
            language = working if working in ("es", "en") else "es"

        if errors:
            raise ValidationError(errors)

        instance.workshop = self.workshop
        instance.full_name = name
        instance.email = email
        instance.delegation = delegation
        instance.organisation = organisation
        instance.role = Participant.Role.DELEGATE if delegation else Participant.Role.OBSERVER
        instance.institution = values.get("institution", "").strip()
        instance.position = values.get("position", "").strip()
        instance.profile = profile
        instance.language = language
        instance.status = Invitation.Status.DRAFT
        instance.created_by = self.user


class InvitationExportResource(FormulaSafeExportMixin, resources.ModelResource):
    """The invitation list as staff read it; no cell can run as a formula."""

    name = fields.Field(attribute="full_name", column_name="name")
    country = fields.Field(column_name="country")
    organisation = fields.Field(column_name="organisation")
    status = fields.Field(column_name="status")
    sent_at = fields.Field(attribute="sent_at", column_name="sent_at")
    accepted_at = fields.Field(attribute="accepted_at", column_name="accepted_at")

    class Meta:
        model = Invitation
        fields = (
            "name",
            "email",
            "country",
            "organisation",
            "institution",
            "position",
            "profile",
            "language",
            "role",
            "status",
            "attempts",
            "last_error",
            "sent_at",
            "accepted_at",
        )
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("delegation__country", "organisation")

    def dehydrate_country(self, invitation) -> str:
        return invitation.delegation.country_id if invitation.delegation_id else ""

    def dehydrate_organisation(self, invitation) -> str:
        return invitation.organisation.code if invitation.organisation_id else ""

    def dehydrate_status(self, invitation) -> str:
        return invitation.status
