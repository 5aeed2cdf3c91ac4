"""/home/: where every sign-in lands."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_anonymous_is_sent_to_sign_in(people, client_as):
    response = client_as(None).get(reverse("participants:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_home_pending_is_sent_to_the_registration_status_page(people, client_as):
    response = client_as(people["pending"]).get(reverse("participants:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:registration")
