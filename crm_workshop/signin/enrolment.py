"""A staff member's first authenticator: a signed, expiring, single-use e-mailed link.

Staff cannot add a first authenticator on their own word (a password could be someone
else's). They ask for a link, which goes to the account's address (only a superuser sets
it on a staff account); opening it while signed in as that
account lets the session add one authenticator within ``rules.ENROLMENT_GRANT_SECONDS``.

The link is ``django.core.signing`` over the user and a random nonce, with a timestamp:
it cannot be forged, it expires after ``LINK_MAX_AGE`` seconds, and the nonce is stored when
the link is used (``UsedEnrolmentLink``), so it works once.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

LINK_MAX_AGE = 60 * 60
SALT = "crm_workshop.signin.enrolment"


class InvalidLinkError(Exception):
    """The link was tampered with, has expired, was used, or is for another account."""


def link_token(user) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"user": str(user.pk), "nonce": secrets.token_urlsafe(24)}
    )


def link_url(user) -> str:
    path = reverse("staff_mfa_enrolment_link", kwargs={"token": link_token(user)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def link_redeem(*, token: str, user) -> None:
    """Marks the link used by ``user``; raises ``InvalidLinkError`` unless it is theirs, fresh and
    unused."""
    from crm_workshop.models import UsedEnrolmentLink

    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=LINK_MAX_AGE)
    except signing.BadSignature as error:  # SignatureExpired is a BadSignature
        raise InvalidLinkError from error
    if not isinstance(payload, dict) or payload.get("user") != str(user.pk):
        raise InvalidLinkError
    try:
        with transaction.atomic():
            UsedEnrolmentLink.objects.create(nonce=str(payload.get("nonce")), user=user)
    except IntegrityError as error:
        raise InvalidLinkError from error


def link_send(request, user) -> str:
    """E-mails a fresh link to ``user``'s primary verified address; returns that address."""
    from allauth.account.adapter import get_adapter

    # ``user.email``: set by a superuser on a staff account, and kept by allauth as the
    # primary address (staff cannot add addresses, see ``forms.StaffAddEmailForm``).
    if not user.email:
        return ""
    get_adapter(request).send_mail(
        "mfa/email/staff_enrolment",
        user.email,
        {"link_url": link_url(user), "max_age_minutes": LINK_MAX_AGE // 60},
    )
    return user.email
