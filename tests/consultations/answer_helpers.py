"""Shared helpers of the delegation's answer tests (tests/consultations/test_answer_*.py)."""

from consultations.models import Answer, QuestionAssignment, TriggerQuestion
from participants.models import Delegation, User

CODE = "TQ-S1-1"
DELEGADO_SV = "delegado.sv@crm-workshop.test"  # SV focal point
DELEGADA_SV = "delegada.sv@crm-workshop.test"  # SV, not the focal point
DELEGADA_MX = "delegada.mx@crm-workshop.test"  # MX, a delegation without focal point


def user(email: str) -> User:
    return User.objects.get(email=email)


def question(code: str = CODE) -> TriggerQuestion:
    return TriggerQuestion.objects.get(code=code)


def delegation(country: str) -> Delegation:
    return Delegation.objects.get(country_id=country)


def assignment(country: str, code: str = CODE) -> QuestionAssignment:
    return QuestionAssignment.objects.get(question__code=code, country_id=country)


def stored(country: str, code: str = CODE) -> Answer | None:
    return Answer.objects.filter(question__code=code, delegation__country_id=country).first()


def url(code: str = CODE) -> str:
    return f"/consultations/{code}/"


def history_url(code: str = CODE) -> str:
    return f"/consultations/{code}/history/"


def post(client, *, text: str, version: int, action: str = "save", code: str = CODE):
    return client.post(url(code), {"text": text, "version": str(version), "action": action})
