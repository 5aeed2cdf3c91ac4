"""A delegation's questions and its answers (helper "answer" fills these in)."""

from django.http import Http404


def question_list(request):
    raise Http404


def answer(request, code):
    raise Http404


def answer_history(request, code):
    raise Http404
