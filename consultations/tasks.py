from consultations.tasks_compendium import *  # noqa
