"""Pages: the public form (no login, no JavaScript needed) and the staff console."""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from langnghe.accounts.selectors import can_see_unit, has_role, visible_unit_get
from langnghe.core.dates import parse_date
from langnghe.core.exceptions import ApplicationError, NotFound, form_page_status
from langnghe.units.selectors import ancestors, closed_unit_successor, unit_list, unit_queryset
from langnghe.units.views import nearest_context

from . import selectors, services
from .exports import CONTENT_TYPES, INLINE_LIMIT, build, export_file_name, export_open
from .forms import ConsoleScopeForm, ExportForm, FlagForm, SurveyAnswerForm, TemplateForm
from .models import (
    Element,
    QuestionType,
    Source,
    SurveyAssignment,
    SurveyExport,
    SurveyResponse,
)
from .security import form_key_check, form_path
from .web import client_hashes, device_cookie_ensure

try:  # the console's unit switcher (the module was being renamed while this app was written)
    from langnghe.accounts.console import current_unit
except ImportError:  # pragma: no cover
    from langnghe.accounts.workspace import current_unit

MANAGER_ROLES = ("admin", "supervisor")


# --- Public ------------------------------------------------------------------------------------


def shared_form(request):
    """The province-wide QR code's page: find the unit that served you (no diacritics needed)."""
    q = request.GET.get("q", "").strip()[:100]
    error = None
    if q:
        try:
            units = unit_list(q=q)
        except ApplicationError as exc:
            error, units = exc.message, unit_queryset().none()
    else:
        units = unit_queryset().filter(depth__lte=1).order_by("path")
    page = Paginator(units, 25).get_page(request.GET.get("page"))
    for unit in page:
        unit.form_path = form_path(unit.code) + "&src=chung"
    # "Your commune first": the units nearest the citizen, when they ask with their location.
    nearest = nearest_context(request, link=lambda unit: form_path(unit.code) + "&src=chung")
    return render(request, "surveys/shared.html", {"q": q, "page": page, "error": error, **nearest})


def _form_context(unit, template, *, values=None, errors=None, key="", client_id=None, source=""):
    values = values or {}
    questions = []
    for question in template.questions.all():
        chosen = values.get(question.key)
        chosen_list = chosen if isinstance(chosen, list) else [chosen] if chosen else []
        questions.append(
            {
                "q": question,
                "name": f"q_{question.key}",
                "chosen": chosen_list,
                "error": (errors or {}).get(f"answers.{question.key}"),
                "multiple": question.type == QuestionType.MULTIPLE,
                "is_text": question.type == QuestionType.TEXT,
            }
        )
    return {
        "unit": unit,
        "template": template,
        "questions": questions,
        "errors": errors or {},
        "values": values,
        "key": key,
        "client_id": client_id or uuid.uuid4(),
        "source": source,
        "comment_max": services.MAX_COMMENT,
    }


def _error_list(context: dict, errors: dict) -> list[dict]:
    """The summary above the form: each wrong answer named ("Câu 3: …") and linked to its
    question; the first question in error takes the focus (``first_error``)."""
    items = []
    for number, item in enumerate(context["questions"], start=1):
        if item["error"]:
            if not items:
                item["first_error"] = True
            items.append(
                {
                    "href": f"#q-{item['q'].key}",
                    "text": f"Câu {number}: {item['q'].text} — {item['error']}",
                }
            )
    labels = {"comment": "Ý kiến góp ý", "dossier_code": "Mã hồ sơ"}
    for field, label in labels.items():
        if errors.get(field):
            items.append(
                {"href": f"#sv-{field.split('_')[0]}", "text": f"{label}: {errors[field]}"}
            )
    return items


@csrf_exempt  # anonymous form, no session to ride on; guarded by signature, client_id, limits
def unit_form(request, code: str):
    try:
        unit, template = selectors.form_config(code)
    except NotFound as exc:
        if request.method == "GET" and (moved := _closed_unit_form(request, code)):
            return moved
        raise Http404 from exc
    form = SurveyAnswerForm(request.POST, template=template) if request.method == "POST" else None
    if form is not None and form.is_valid():  # always: the service checks what was posted
        key, source = form.cleaned_data["k"], form.cleaned_data["src"]
    else:
        key, source = request.GET.get("k", ""), request.GET.get("src", "")
    try:
        form_key_check(unit.code, key or "")
    except ApplicationError as exc:
        return render(
            request,
            "surveys/link_error.html",
            {"unit": unit, "message": exc.message},
            status=exc.status,
        )
    if form is not None:
        posted = form.cleaned_data
        answers = form.answers()
        ip_hash, device_hash = client_hashes(request)
        try:
            response, _created = services.response_submit(
                unit_code=unit.code,
                client_id=posted["client_id"],
                answers=answers,
                comment=posted["comment"],
                dossier_code=posted["dossier_code"],
                key=key,
                require_key=True,
                source=Source.SHARED if source == "chung" else Source.QR,
                ip_hash=ip_hash,
                device_hash=device_hash,
                template_id=posted["template"],
            )
        except ApplicationError as exc:
            errors = getattr(exc, "errors", None) or {exc.field or "form": exc.message}
            values = {
                **answers,
                "comment": posted["comment"],
                "dossier_code": posted["dossier_code"],
            }
            context = _form_context(
                unit,
                template,
                values=values,
                errors=errors,
                key=key,
                client_id=posted["client_id"] or None,
                source=source,
            )
            context["form_error"] = exc.message
            context["error_list"] = _error_list(context, errors)
            return render(
                request, "surveys/form.html", context, status=form_page_status(exc.status)
            )
        return redirect(f"/khao-sat/{unit.code}/cam-on/?p={response.pk}")
    http = render(
        request, "surveys/form.html", _form_context(unit, template, key=key, source=source)
    )
    device_cookie_ensure(request, http)
    http["Cache-Control"] = "no-store"  # each page carries its own client_id
    return http


def thanks(request, code: str):
    try:
        unit = selectors.active_unit_get(code=code)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "surveys/thanks.html", {"unit": unit})


# --- Console -----------------------------------------------------------------------------------


def _console_scope(request, form: ConsoleScopeForm | None = None):
    """The unit being looked at (drill-down ?unit=, else the switcher's) and the filters: of
    ``form`` (a POST's), else of the query string."""
    if form is None:
        form = ConsoleScopeForm(request.GET)
    form.is_valid()  # always: the dates and the unit are checked below, with their messages
    filters = form.cleaned_data
    code = request.GET.get("unit") or filters["unit"]
    unit = visible_unit_get(user=request.user, code=code) if code else current_unit(request)
    if unit is None:
        raise NotFound("Bạn chưa được phân công đơn vị nào.")
    period = selectors.date_range(parse_date(filters["from"]), parse_date(filters["to"]))
    include_flagged = filters["flagged"] and has_role(request.user, unit, MANAGER_ROLES)
    return unit, period, include_flagged


def _bars(items: list[dict], value_key: str) -> list[dict]:
    top = max([i[value_key] or 0 for i in items] + [1])
    for item in items:
        item["bar"] = round(100 * (item[value_key] or 0) / top)
    return items


def _closed_unit_form(request, code: str):
    """The QR code of a unit that ended (the 2025 reorganisation) still hangs on a wall: with
    its own valid key it opens the form of the unit that carries on, where the answer counts."""
    successor = closed_unit_successor(code=code)
    if successor is None:
        return None
    try:
        form_key_check(code.strip().upper(), request.GET.get("k", ""))
    except ApplicationError:
        return None
    src = request.GET.get("src", "")
    return redirect(form_path(successor.code) + (f"&{urlencode({'src': src})}" if src else ""))


@login_required
def results_page(request):
    try:
        unit, period, include_flagged = _console_scope(request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return render(request, "surveys/console_results.html", {"failed": True}, status=exc.status)
    by = "week" if request.GET.get("by") == "week" else "month"
    negative = request.GET.get("negative") == "1"
    q = request.GET.get("q", "").strip()[:100]
    results = selectors.results_compute(unit, period, include_flagged=include_flagged)
    comments = selectors.comment_list(
        unit, period, negative_only=negative, q=q, include_flagged=include_flagged
    )
    elements = [{"code": c, **results["elements"][c]} for c in Element.values]
    comment_page = Paginator(comments, 20).get_page(request.GET.get("page"))
    selectors.ratings_attach(comment_page)
    return render(
        request,
        "surveys/console_results.html",
        {
            "unit": unit,
            "ancestors": [a for a in ancestors(unit) if can_see_unit(request.user, a)],
            "period": period,
            "results": results,
            "elements": _bars(elements, "index"),
            "trend": _bars(
                selectors.trend_compute(unit, period, by=by, include_flagged=include_flagged),
                "responses",
            ),
            "ranking": selectors.ranking_compute(unit, period, include_flagged=include_flagged),
            "comments": comment_page,
            "by": by,
            "negative": negative,
            "q": q,
            "include_flagged": include_flagged,
            "can_manage": has_role(request.user, unit, MANAGER_ROLES),
            "qr_path": f"/api/v1/surveys/qr/{unit.code}.svg",
        },
    )


@login_required
@require_POST
def export_start(request):
    form = ExportForm(request.POST)
    try:
        unit, period, _flagged = _console_scope(request, form)
        export_format = form.cleaned_data["format"]
        params = {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "negative": form.cleaned_data["negative"],
            "q": form.cleaned_data["q"],
        }
        size = selectors.comment_list(
            unit, period, negative_only=params["negative"], q=params["q"]
        ).count()
        if export_format in CONTENT_TYPES and size <= INLINE_LIMIT:
            content, _rows = build(unit, params, export_format)
            http = HttpResponse(content, content_type=CONTENT_TYPES[export_format])
            http["Content-Disposition"] = (
                f'attachment; filename="{export_file_name(unit, params, export_format)}"'
            )
            return http
        export = services.export_request(
            user=request.user, unit=unit, export_format=export_format, params=params
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("/staff/surveys/")
    return redirect(f"/staff/surveys/exports/{export.pk}/")


@login_required
def export_page(request, export_id):
    export = (
        SurveyExport.objects.select_related("unit")
        .filter(pk=export_id, requested_by=request.user)
        .first()
    )
    if export is None:
        raise Http404
    return render(
        request,
        "surveys/console_export.html",
        {"export": export, "retention_hours": settings.LANGNGHE_EXPORT_RETENTION_HOURS},
    )


@login_required
def export_download(request, export_id):
    """The only way to the file in the console: its requester, still in the unit's scope."""
    export = (
        SurveyExport.objects.select_related("unit")
        .filter(pk=export_id, requested_by=request.user, status__in=("done", "expired"))
        .first()
    )
    if export is None or not can_see_unit(request.user, export.unit):
        raise Http404
    if export.status == "expired":  # deleted after LANGNGHE_EXPORT_RETENTION_HOURS: say so
        return redirect(f"/staff/surveys/exports/{export.pk}/")
    try:
        content, content_type = export_open(export)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"/staff/surveys/exports/{export.pk}/")
    http = HttpResponse(content, content_type=content_type)
    http["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return http


@login_required
def templates_page(request):
    unit = current_unit(request)
    if unit is None:
        raise Http404
    can_manage = has_role(request.user, unit, MANAGER_ROLES)
    form_errors: dict = {}
    form = TemplateForm(request.POST) if request.method == "POST" else None
    if form is not None:
        if not can_manage:
            messages.error(request, "Chỉ quản trị, chỉ huy mới quản lý mẫu phiếu.")
            return redirect("/staff/surveys/templates/")
        form.is_valid()  # always: the services check the template and the questions
        posted = form.cleaned_data
        try:
            if posted["action"] == "assign":
                services.template_assign(
                    unit=unit, by=request.user, template_code=posted["template"]
                )
                messages.success(request, "Đã cập nhật mẫu phiếu của đơn vị.")
            else:
                template = services.template_create(
                    owner=unit,
                    name=posted["name"],
                    by=request.user,
                    questions=parse_question_lines(posted["questions"]),
                )
                messages.success(request, f"Đã tạo mẫu phiếu “{template.name}”.")
            return redirect("/staff/surveys/templates/")
        except ApplicationError as exc:
            form_errors = getattr(exc, "errors", None) or {"form": exc.message}
    own = SurveyAssignment.objects.filter(unit=unit).first()
    return render(
        request,
        "surveys/console_templates.html",
        {
            "unit": unit,
            "effective": selectors.template_effective(unit),
            "own_code": own.template_code if own else "",
            "can_manage": can_manage,
            "templates": selectors.template_list_for(unit).prefetch_related("questions"),
            "form_errors": form_errors,
            "posted": form.data if form is not None else {},
        },
        status=200,  # a form shown again with its errors (core.exceptions.form_page_status)
    )


def parse_question_lines(text: str) -> list[dict]:
    """One question per line: ``type | * | question text | choice 1; choice 2``.

    ``type`` is one of chon-mot, chon-nhieu, thang-do, tu-do (or single, multiple, scale,
    text); ``*`` marks a required question (leave it empty otherwise).
    """
    aliases = {"chon-mot": "single", "chon-nhieu": "multiple", "thang-do": "scale", "tu-do": "text"}
    questions = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (4 - len(parts))
        qtype = aliases.get(parts[0].lower(), parts[0].lower())
        questions.append(
            {
                "type": qtype,
                "required": parts[1] == "*",
                "text": parts[2],
                "choices": [c for c in parts[3].split(";") if c.strip()],
            }
        )
    return questions


@login_required
def flagged_page(request):
    unit = current_unit(request)
    if unit is None or not has_role(request.user, unit, MANAGER_ROLES):
        messages.error(request, "Chỉ quản trị, chỉ huy mới xem được phiếu bị gắn cờ.")
        return redirect("/staff/surveys/")
    if request.method == "POST":
        form = FlagForm(request.POST)
        if not form.is_valid():  # no response named, or not a number: as one not found
            raise Http404
        response = (
            SurveyResponse.objects.select_related("unit")
            .filter(pk=form.cleaned_data["response"], unit__path__startswith=unit.path)
            .first()
        )
        if response is None:
            raise Http404
        services.response_flag_set(
            response=response, by=request.user, flagged=form.cleaned_data["flagged"]
        )
        messages.success(request, "Đã cập nhật phiếu.")
        return redirect("/staff/surveys/flagged/")
    page = Paginator(selectors.flagged_list(unit), 30).get_page(request.GET.get("page"))
    return render(request, "surveys/console_flagged.html", {"unit": unit, "page": page})
