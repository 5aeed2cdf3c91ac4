"""Demo data: the concept-note workshop and one account per role (``manage.py seed_demo``).

Project level on purpose: it loads every app, and no app should depend on the others for
demo data.
"""
