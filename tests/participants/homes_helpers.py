"""Small helpers for the homes' tests (helper "homes"): extra people on the demo workshop."""

from participants.models import Participant, User


def add_member(workshop, *, country: str, n: int, profile: str = "other", status: str = "approved"):
    """A new account registered in ``country``'s delegation of ``workshop``."""
    user = User.objects.create_user(
        username=f"m{n}.{country.lower()}.{status}",
        email=f"m{n}.{country.lower()}.{status}@example.org",
        first_name=f"Miembro{n}",
        last_name=f"{country} {status}",
    )
    return Participant.objects.create(
        user=user,
        workshop=workshop,
        delegation=workshop.delegations.get(country_id=country),
        profile=profile,
        registration_status=status,
        institution=f"Institución {n}",
    )
