"""Demo data: the built-in templates, the one-stop template at PA08, and a few responses."""

import uuid

from langnghe.units.models import Unit

from .models import SurveyAssignment, SurveyResponse
from .services import builtin_templates_ensure, response_submit, template_assign

NAMESPACE = uuid.UUID("6f1c4a52-5a8e-4a0e-9a55-3c7e0d1b2a11")
DEMO = [
    # (unit, answers, comment)
    (
        "BG-X07201",
        {
            "access": "5",
            "procedure": "4",
            "staff": "5",
            "result": "5",
            "feedback": "4",
            "overall": "5",
        },
        "Cán bộ hướng dẫn tận tình.",
    ),
    (
        "BG-X07201",
        {"access": "3", "procedure": "2", "staff": "4", "result": "3", "overall": "2"},
        "Phải chờ lâu, thiếu chỗ ngồi.",
    ),
    ("BG-X07204", {"staff": "4", "overall": "4"}, ""),
    ("BG-H213", {"overall": "5"}, ""),
    ("BG-PA08", {"staff": "5", "overall": "5"}, "Làm hộ chiếu nhanh."),
]


def load(stdout) -> None:
    builtin_templates_ensure()
    pa08 = Unit.objects.filter(code="BG-PA08").first()
    if pa08 is not None and not SurveyAssignment.objects.filter(unit=pa08).exists():
        template_assign(unit=pa08, template_code="mot-cua", by=None)
    made = 0
    for i, (code, answers, comment) in enumerate(DEMO):
        client_id = uuid.uuid5(NAMESPACE, str(i))
        if not Unit.objects.filter(code=code).exists():
            continue
        if SurveyResponse.objects.filter(client_id=client_id).exists():
            continue
        response_submit(
            unit_code=code, client_id=client_id, answers=answers, comment=comment, source="api"
        )
        made += 1
    stdout.write(f"Khảo sát: {made} phiếu mẫu mới")
