"""Reads: classify a text (stateless) and list corrections for training."""

from .classifier import CORRECTION_WEIGHT, TriageResult, classify
from .models import TriageCorrection

__all__ = ["TriageResult", "triage_text", "correction_training_rows"]


def triage_text(text: str) -> TriageResult:
    """Category, urgency, hotline and confidence of a citizen's message.

    Safe on any input (empty, emoji, very long, other languages): it never raises for the
    text itself. Texts longer than 5,000 characters are classified on their first part.
    The model is loaded once per process on first use.
    """
    return classify(text or "")


def correction_training_rows() -> list[dict]:
    """Officers' corrections as training rows (weighted above generated examples); those whose
    text was forgotten with their conversation are left out."""
    return [
        {
            "text": row.text,
            "category": row.category,
            "urgent": row.urgent,
            "hotline": row.hotline or None,
            "source": "correction",
            "weight": CORRECTION_WEIGHT,
        }
        for row in TriageCorrection.objects.exclude(text="").order_by("id").iterator()
    ]
