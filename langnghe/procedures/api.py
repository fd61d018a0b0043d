"""Public API of the procedure catalogue: search, list, detail and a conversational answer."""

from django.conf import settings
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from langnghe.core.pagination import Pages
from langnghe.units.selectors import unit_get

from . import selectors
from .models import Field as ProcedureField
from .models import Procedure

router = Router(tags=["procedures"])

FIELD_LABELS = dict(ProcedureField.choices)


def _public_url(path: str) -> str:
    return settings.LANGNGHE_PUBLIC_URL + path


class ProcedureSearchHitOut(Schema):
    code: str
    title: str
    url: str
    field: str
    score: float


class ElsewhereOut(Schema):
    key: str = Field(..., description="civil_status, land, business, social_insurance, tax, …")
    title: str
    agency: str = Field(..., description="cơ quan giải quyết")
    url: str = Field(..., description="trang chính thức")


class ProcedureSearchOut(Schema):
    items: list[ProcedureSearchHitOut]
    confident: bool = Field(
        ...,
        description="false khi không thủ tục nào của Công an phù hợp: các mục (nếu có) chỉ "
        "“có thể liên quan”, không phải câu trả lời",
    )
    elsewhere: ElsewhereOut | None = Field(
        None, description="việc của cơ quan khác mà câu hỏi nhắc tới, nếu có"
    )


class ProcedureSearchQuery(Schema):
    q: str = Field("", description="câu hỏi hoặc từ khóa, có dấu hay không dấu (tối đa 500 ký tự)")
    limit: int = Field(10, description="số kết quả, 1–50")


class ProcedureHandlerOut(Schema):
    kind: str
    department: str


class ProcedureFeeReductionOut(Schema):
    text: str
    until: str


class ProcedureOut(Schema):
    code: str
    name: str
    field: str
    field_label: str
    processing_time: str
    fee: str
    handlers: list[ProcedureHandlerOut]
    url: str

    @staticmethod
    def resolve_field_label(obj: Procedure) -> str:
        return FIELD_LABELS.get(obj.field, obj.field)

    @staticmethod
    def resolve_handlers(obj: Procedure) -> list[dict]:
        return [{"kind": h.kind, "department": h.department} for h in obj.handlers.all()]

    @staticmethod
    def resolve_url(obj: Procedure) -> str:
        return _public_url(obj.get_absolute_url())


class ProcedureDetailOut(ProcedureOut):
    national_code: str
    summary: str
    fee_reductions: list[ProcedureFeeReductionOut]
    documents: list[str]
    steps: list[str]
    online: str
    online_url: str
    legal_basis: str
    source: str
    aliases: list[str]
    uncertain: list[str]

    @staticmethod
    def resolve_fee_reductions(obj: Procedure) -> list[dict]:
        return selectors.active_fee_reductions(obj)


class ProcedureFilter(Schema):
    field: str | None = Field(None, description="lĩnh vực, ví dụ cu-tru, can-cuoc")
    unit: str | None = Field(None, description="mã đơn vị: chỉ các thủ tục đơn vị đó giải quyết")


class ProcedureAnswerOut(Schema):
    found: bool
    code: str | None = None
    title: str | None = None
    url: str | None = None
    answer: str | None = None


@router.get(
    "/search", response=ProcedureSearchOut, auth=None, summary="Tìm thủ tục theo lời người dân"
)
def procedure_search(request, query: Query[ProcedureSearchQuery]):
    result = selectors.procedure_search_assessed(q=query.q, limit=query.limit)
    elsewhere = result.elsewhere
    return {
        "items": [
            {
                "code": h.code,
                "title": h.title,
                "url": _public_url(h.url),
                "field": h.field,
                "score": h.score,
            }
            for h in result.hits
        ],
        "confident": result.confident,
        "elsewhere": (
            {
                "key": elsewhere.key,
                "title": elsewhere.title,
                "agency": elsewhere.agency,
                "url": elsewhere.url,
            }
            if elsewhere
            else None
        ),
    }


@router.get(
    "/answer",
    response=ProcedureAnswerOut,
    auth=None,
    summary="Câu trả lời ngắn cho câu hỏi về thủ tục (dùng cho trực ban, trò chuyện)",
)
def procedure_answer(request, q: str = ""):
    answer = selectors.procedure_answer(q)
    if answer is None:
        return {"found": False}
    return {
        "found": True,
        "code": answer.procedure.code,
        "title": answer.procedure.name,
        "url": answer.url,
        "answer": answer.text,
    }


@router.get("", response=list[ProcedureOut], auth=None, summary="Danh mục thủ tục hành chính")
@paginate(Pages)
def procedure_list(request, filters: Query[ProcedureFilter]):
    qs = selectors.procedure_list(field=filters.field)
    if filters.unit:
        qs = qs.filter(pk__in=selectors.procedures_for_unit(unit_get(code=filters.unit)))
    return qs


@router.get("/{code}", response=ProcedureDetailOut, auth=None, summary="Chi tiết một thủ tục")
def procedure_detail(request, code: str):
    return selectors.procedure_get(code=code)
