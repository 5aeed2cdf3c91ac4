"""Staff follow-up of the answers (helper "follow" fills these in)."""

from django.http import Http404


def followup(request):
    raise Http404


def remind(request):
    raise Http404
