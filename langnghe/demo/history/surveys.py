"""The history's survey responses, stored through the responses' bulk path."""

import uuid

from django.utils import timezone

from langnghe.surveys.models import PendingCount, SurveyResponse
from langnghe.surveys.selectors import form_config
from langnghe.surveys.services import _response_build, counters_fold

from .plan import NAMESPACE


def _fit(answers: dict, template) -> dict:
    """The planned answers in the template's questions and scale (the one-stop form has three
    levels: 5, 4, 2)."""
    fitted = {}
    for question in template.questions.all():
        value = answers.get(question.key)
        allowed = [choice["value"] for choice in question.choices]
        if value is None or not allowed:
            continue
        fitted[question.key] = (
            value if value in allowed else min(allowed, key=lambda a: abs(int(a) - int(value)))
        )
    return fitted


def _responses_store(rows: list[dict]) -> None:
    """The responses' bulk path: each answer set checked like the form's (``_response_build``),
    the rows and their pending counts inserted together, then folded into the counters."""
    configs: dict = {}
    built = []
    for n, row in enumerate(rows):
        if row["unit"] not in configs:
            configs[row["unit"]] = form_config(row["unit"])
        unit, template = configs[row["unit"]]
        response = _response_build(
            unit=unit,
            template=template,
            client_uuid=uuid.uuid5(NAMESPACE, f"response-{n}"),
            answers=_fit(row["answers"], template),
            comment=row["comment"],
            dossier_code="",
            key=None,
            require_key=False,
            template_id=None,
        )
        response.source = "qr"
        response.submitted_at = row["at"]
        response.day = timezone.localdate(row["at"])
        built.append(response)
    stored = SurveyResponse.objects.bulk_create(built, batch_size=500)
    PendingCount.objects.bulk_create(
        [PendingCount(response_id=r.pk) for r in stored], batch_size=500
    )
    while counters_fold():
        pass
