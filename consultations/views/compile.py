"""The compilation of submitted answers (helper "compile" fills these in)."""

from django.http import Http404


def compile_index(request):
    raise Http404


def question_answers(request, code):
    raise Http404


def export(request, fmt):
    raise Http404


def compendium_start(request):
    raise Http404


def compendium(request, pk):
    raise Http404


def compendium_progress(request, pk):
    raise Http404


def compendium_download(request, pk):
    raise Http404


def answer_reopen(request, pk):
    raise Http404
