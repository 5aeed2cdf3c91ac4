"""``/consultations/``: a delegation's trigger questions and answers, and their compilation.

The compilation (``compile/…``) is for staff and, for their sessions' questions, moderators;
everyone else gets 404 there, as on another country's answer.
"""

from django.urls import path

from consultations.views import answers, compile

app_name = "consultations"

urlpatterns = [
    path("", answers.question_list, name="list"),
    # Before "<code>/": "compile" is not a question code.
    path("compile/", compile.compile_index, name="compile"),
    path("compile/export.<str:fmt>", compile.export, name="export"),
    path("compile/compendium/", compile.compendium_start, name="compendium_start"),
    path("compile/compendium/<int:pk>/", compile.compendium, name="compendium"),
    path(
        "compile/compendium/<int:pk>/progress.json",
        compile.compendium_progress,
        name="compendium_progress",
    ),
    path(
        "compile/compendium/<int:pk>/download/",
        compile.compendium_download,
        name="compendium_download",
    ),
    path("compile/answer/<int:pk>/reopen/", compile.answer_reopen, name="reopen"),
    path("compile/<slug:code>/", compile.question_answers, name="question_answers"),
    path("<slug:code>/", answers.answer, name="answer"),
    path("<slug:code>/history/", answers.answer_history, name="history"),
]
