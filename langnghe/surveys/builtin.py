"""The built-in questionnaires, and their creation on first use (``builtin_templates_ensure``,
below the services and the selectors: the form of a new install makes them when it first needs
the default). Sources: ../shared/reference/vn-domain.md §1.

Ratings are stored as "1"–"5" whatever the wording, so every template feeds the same index:
"4" (hài lòng) and "5" (rất hài lòng) count as satisfied. [U] The official SIPAS weighting was
not found; the index is the share of "hài lòng" + "rất hài lòng" answers.
"""

from django.db import IntegrityError, transaction

from langnghe.audit.services import audit_record

from .models import Question, SurveyTemplate

SATISFIED_VALUES = frozenset({"4", "5"})

# 5-level scale used by SIPAS and dichvucong.mic.gov.vn (vn-domain.md §1 "Answer scale").
FIVE_LEVEL = [
    {"value": "5", "label": "Rất hài lòng"},
    {"value": "4", "label": "Hài lòng"},
    {"value": "3", "label": "Bình thường"},
    {"value": "2", "label": "Không hài lòng"},
    {"value": "1", "label": "Rất không hài lòng"},
]

# 3-level one-stop rating (NĐ 61/2018 one-stop evaluation; vn-domain.md §1, Thanh Hóa form).
THREE_LEVEL = [
    {"value": "5", "label": "Rất hài lòng"},
    {"value": "4", "label": "Hài lòng"},
    {"value": "2", "label": "Không hài lòng"},
]

SIPAS_CODE = "sipas"
ONE_STOP_CODE = "mot-cua"
DEFAULT_CODE = SIPAS_CODE

BUILTIN_TEMPLATES = [
    {
        "code": SIPAS_CODE,
        "name": "Phiếu đánh giá sự hài lòng về phục vụ hành chính",
        "description": "Theo Đề án 2640/QĐ-BNV và QĐ 1001/QĐ-BNV: 5 yếu tố, thang 5 mức, "
        "một câu hài lòng chung và ý kiến góp ý.",
        "questions": [
            (
                "access",
                "scale",
                "access",
                "Ông/bà hài lòng thế nào về việc tiếp cận dịch vụ (nơi đón tiếp, chỗ ngồi, "
                "trang thiết bị)?",
            ),
            (
                "procedure",
                "scale",
                "procedure",
                "Ông/bà hài lòng thế nào về thủ tục hành chính (niêm yết công khai, hồ sơ, phí, "
                "thời hạn đúng quy định)?",
            ),
            (
                "staff",
                "scale",
                "staff",
                "Ông/bà hài lòng thế nào về cán bộ trực tiếp giải quyết công việc (thái độ, "
                "hướng dẫn)?",
            ),
            (
                "result",
                "scale",
                "result",
                "Ông/bà hài lòng thế nào về kết quả giải quyết (đúng, đủ, đúng hẹn)?",
            ),
            (
                "feedback",
                "scale",
                "feedback",
                "Ông/bà hài lòng thế nào về việc tiếp nhận, xử lý góp ý, phản ánh, kiến nghị?",
            ),
            (
                "overall",
                "scale",
                "overall",
                "Nhìn chung, ông/bà hài lòng thế nào về sự phục vụ của đơn vị?",
            ),
        ],
    },
    {
        "code": ONE_STOP_CODE,
        "name": "Đánh giá nhanh tại bộ phận một cửa (3 mức)",
        "description": "Ba mức Rất hài lòng / Hài lòng / Không hài lòng như phiếu đánh giá "
        "giải quyết thủ tục hành chính theo cơ chế một cửa (NĐ 61/2018/NĐ-CP).",
        "questions": [
            ("staff", "three", "staff", "Thái độ, hướng dẫn của cán bộ tiếp nhận hồ sơ"),
            (
                "overall",
                "three",
                "overall",
                "Mức độ hài lòng chung về việc giải quyết thủ tục hành chính",
            ),
        ],
    },
]


def builtin_questions(definition: dict) -> list[dict]:
    """Question rows for a built-in template definition."""
    rows = []
    for position, (key, scale, element, text) in enumerate(definition["questions"]):
        rows.append(
            {
                "key": key,
                "position": position,
                "type": "scale",
                "text": text,
                # Only the overall question is required: a citizen answers in seconds.
                "required": key == "overall",
                "element": element,
                "choices": FIVE_LEVEL if scale == "scale" else THREE_LEVEL,
            }
        )
    return rows


def builtin_templates_ensure() -> None:
    """Create the built-in templates if missing (idempotent; also run by the demo loader).
    Safe when several requests make them at once (a new install's first responses, in several
    threads or processes): the one that loses the race finds them made and rolls back its own."""
    for definition in BUILTIN_TEMPLATES:
        if SurveyTemplate.objects.filter(code=definition["code"]).exists():
            continue
        try:
            with transaction.atomic():
                template = SurveyTemplate.objects.create(
                    code=definition["code"],
                    name=definition["name"],
                    description=definition["description"],
                    is_builtin=True,
                )
                Question.objects.bulk_create(
                    Question(template=template, **row) for row in builtin_questions(definition)
                )
                audit_record(
                    actor=None,
                    action="survey_template.create",
                    target=template,
                    data={"code": template.code, "version": 1, "builtin": True},
                )
        except IntegrityError:  # made meanwhile by another request (survey_template_version)
            continue
