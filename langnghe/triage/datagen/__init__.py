"""Generator of the labelled messages in ``data/``: hand-written templates × vocabularies.

``python -m langnghe.triage.datagen`` rewrites ``data/generated_train.jsonl`` and
``data/generated_heldout.jsonl`` (fixed seeds). The held-out set uses DIFFERENT templates and
partly different vocabularies from the training set, so the score it gives is not a score on
the generator's own phrasing. Hand-written free-form messages live in
``data/handwritten_train.jsonl`` and ``data/handwritten_heldout.jsonl``.

Labels (what an officer would decide):
- crime_report — a suspected crime against a person or property: theft, robbery, assault on
  someone, kidnapping, fraud and scams, drugs, gambling, loan sharks, threats, trafficking.
- public_order — order and safety incidents that are not mainly a report of a crime: noise,
  brawls in public, street racing, obstruction, traffic accidents, fires, drowning, a person
  collapsed in the street, environmental nuisance, suspicious loitering.
- procedure_question — how to do something with the police/administration: ID cards,
  residence, passports, vehicle registration, driving licences, criminal records, fines,
  fire-safety permits, opening hours, where/how to report.
- service_feedback — praise or complaints about staff, offices, procedures, delays, the
  hotline or the website.
- other — greetings, thanks, tests, spam and ads, off-topic chat.
``urgent`` — life, safety or property in danger NOW (not a past event, not a question about
one); ``hotline`` 113 / 114 / 115 for urgent messages.
"""

from .generate import DATA, expand, main, stylise, write
from .slots import HELD_SLOTS, TRAIN_SLOTS
from .templates import HELD_TEMPLATES, TRAIN_TEMPLATES

__all__ = [
    "DATA",
    "HELD_SLOTS",
    "HELD_TEMPLATES",
    "TRAIN_SLOTS",
    "TRAIN_TEMPLATES",
    "expand",
    "main",
    "stylise",
    "write",
]
