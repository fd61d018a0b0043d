"""An officer's correction of a triage label: kept as new training data for ``train_triage``."""

from django.conf import settings
from django.db import models


class Category(models.TextChoices):
    CRIME_REPORT = "crime_report", "Tố giác, tin báo tội phạm"
    PUBLIC_ORDER = "public_order", "An ninh trật tự, sự cố"
    PROCEDURE_QUESTION = "procedure_question", "Hỏi thủ tục"
    SERVICE_FEEDBACK = "service_feedback", "Phản ánh, góp ý phục vụ"
    OTHER = "other", "Khác"


class TriageCorrection(models.Model):
    """The text is kept because it IS the training example; it may contain personal data, so
    it is only read by ``train_triage`` and never shown outside the staff console or put in
    the audit trail."""

    text = models.TextField()
    category = models.CharField(max_length=32, choices=Category.choices)
    urgent = models.BooleanField(default=False)
    hotline = models.CharField(max_length=3, blank=True)
    predicted_category = models.CharField(max_length=32, blank=True)
    predicted_urgent = models.BooleanField(null=True)
    source_type = models.CharField(max_length=100, blank=True)  # e.g. "inbox.message"
    source_id = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return f"{self.category}{' (khẩn)' if self.urgent else ''}"
