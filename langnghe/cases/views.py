"""Pages: the public form, the status page, the receipt follow-up; the staff console.

Thin: read the request, call one service or selector, render. Pages that show a receipt or a
reporter's identity are sent with ``Cache-Control: no-store``. A receipt never travels in a URL:
the citizen POSTs it to the mailbox, and the page shown once after a tip is sent reads it from
the session, sealed, where the form's POST left it (Post/Redirect/Get).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from langnghe.accounts.console import current_unit
from langnghe.accounts.models import Membership, User
from langnghe.accounts.selectors import can_see_unit, has_role, visible_units
from langnghe.core.exceptions import ApplicationError, NotFound, form_page_status
from langnghe.core.forms import first_error
from langnghe.units.models import Unit
from langnghe.units.selectors import unit_choose, unit_current

from . import crypto, deadlines, forms, policies, receipts, selectors, services
from .files import EXTENSIONS, MAX_BYTES
from .lookups import RATE_LIMITED as LOOKUP_RATE_LIMITED
from .lookups import lookup_limited
from .models import Case, Channel, Status

RATE_LIMITED = "Ông/bà gửi quá nhiều yêu cầu. Vui lòng đợi một lát rồi thử lại."


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _files(request, *, required: bool = False) -> list[tuple[str, bytes]]:
    """(name as sent, bytes) of each uploaded file; the name gives only the extension.
    ``required``: a form whose only purpose is the files refuses to be sent without one."""
    if required and not request.FILES.getlist("files"):
        raise ApplicationError("Hãy chọn ít nhất một tệp để gửi.", code="no_file", field="file")
    files = []
    for upload in request.FILES.getlist("files"):
        if upload.size > MAX_BYTES:
            raise ApplicationError(
                "Tệp quá lớn: tối đa 10 MB mỗi tệp.",
                code="file_too_large",
                field="file",
                status=413,
            )
        files.append((upload.name or "", upload.read()))
    return files


# --- public -------------------------------------------------------------------------------------


SENT_KEY = "cases.sent"


def report_form(request):
    """The province-wide form; ``?don-vi=CODE`` (from a unit's page) sends it to that unit.

    Post/Redirect/Get: a case received is answered with a redirect to ``report_sent``, so a
    reload or a back button never sends it twice. The codes travel to that page in the
    session (the receipt sealed), never in the URL."""
    form = forms.ReportForm(request.POST if request.method == "POST" else None)
    data = form.cleaned_data if form.is_valid() else {}
    code = request.GET.get("don-vi") or data.get("unit") or ""
    unit = Unit.objects.filter(code__iexact=code.strip(), is_active=True).first() if code else None
    context = {
        "unit": unit,
        "categories": selectors.category_list(),
        "values": {},
        "error": None,
        "field": None,
    }
    if request.method != "POST":
        context["values"] = {"category": request.GET.get("loai", "")}
        return render(request, "cases/report_form.html", context)
    context["values"] = request.POST  # everything typed stays in the form
    try:
        if is_ratelimited(
            request, group="cases.create", key="ip", rate="10/m", method="POST", increment=True
        ):
            raise ApplicationError(RATE_LIMITED, code="rate_limited", status=429)
        if not form.is_valid():
            raise ApplicationError(first_error(form))
        anonymous = data["anonymous"]
        case, receipt = services.case_create(
            category_code=data["category"],
            description=data["description"],
            unit_code=unit.code if unit else None,
            address=data["address"],
            is_anonymous=anonymous,
            reporter=None
            if anonymous
            else {
                "name": data["name"],
                "phone": data["phone"],
                "address": data["reporter_address"],
            },
            channel=Channel.WEB,
            attachments=_files(request),
        )
    except ApplicationError as exc:
        # Everything typed stays in the form; a browser never keeps chosen files, so say so.
        context.update(
            error=exc.message, field=exc.field, files_lost=bool(request.FILES.getlist("files"))
        )
        return render(
            request, "cases/report_form.html", context, status=form_page_status(exc.status)
        )
    request.session[SENT_KEY] = {
        "case": case.pk,
        "receipt": crypto.seal(receipt, context=_sent_context(case)) if receipt else "",
    }
    return redirect("cases:report_sent")


def _sent_context(case: Case) -> str:
    return f"session:{case.sealing_context('receipt')}"


def report_sent(request):
    """The codes of the case just sent, shown once: the session entry is taken on the first
    view (a reload shows only how to follow the case up). No store in any cache."""
    sent = request.session.pop(SENT_KEY, None) or {}
    if not request.session.keys():
        request.session.flush()  # nothing else in it: no cookie stays behind a tip
    case = (
        Case.objects.select_related("category", "unit").filter(pk=sent["case"]).first()
        if sent.get("case")
        else None
    )
    if case is None:
        return _no_store(render(request, "cases/report_sent.html", {"case": None}))
    receipt = crypto.unseal(sent.get("receipt", ""), context=_sent_context(case))
    deadlines = selectors.case_deadlines(case)
    response = render(
        request,
        "cases/report_sent.html",
        {
            "case": case,
            "receipt": receipts.receipt_display(receipt) if receipt else None,
            "deadlines": deadlines,
            "progress": selectors.case_progress(case, deadlines),
        },
    )
    return _no_store(response)


def status_page(request):
    """Status by tracking code: status, unit, dates, public notes. Never content or names, nor
    an officer's text not marked public. Each code tried spends the address's lookup budget."""
    code = request.GET.get("ma", "").strip()
    context = {"code": code, "case": None, "error": None}
    status = 200
    if code and lookup_limited(request):
        context["error"] = LOOKUP_RATE_LIMITED
        return render(request, "cases/status.html", context, status=429)
    if code:
        try:
            case = selectors.case_get_public(tracking_code=code)
            deadlines = selectors.case_deadlines(case)
            context.update(
                case=case,
                deadlines=deadlines,
                progress=selectors.case_progress(case, deadlines),
                progress_label=selectors.case_progress_label(case),
                handling_unit=unit_current(case.unit),  # a closed unit's successor (#25)
            )
        except NotFound as exc:
            context["error"] = exc.message  # the form shown again: 200 (issue #27)
    return render(request, "cases/status.html", context, status=status)


def receipt_page(request):
    """The anonymous tipster's mailbox: the receipt is POSTed with every action."""
    context = {"case": None, "error": None, "receipt": ""}
    if request.method != "POST":
        return _no_store(render(request, "cases/receipt.html", context))
    status = 200
    if is_ratelimited(
        request, group="cases.track", key="ip", rate="10/m", method="POST", increment=True
    ):
        context["error"] = RATE_LIMITED
        return _no_store(render(request, "cases/receipt.html", context, status=429))
    form = forms.ReceiptForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"receipt": "", "action": "view", "body": ""}
    receipt = data["receipt"]
    case = selectors.case_find_by_receipt(receipt)
    if case is None:
        context["error"] = "Mã biên nhận không đúng hoặc không tồn tại."
        return _no_store(render(request, "cases/receipt.html", context))  # form shown again
    action = data["action"]
    try:
        if action == "message":
            services.case_reporter_message_add(case=case, body=data["body"])
            context["success"] = "Đã gửi thông tin bổ sung."
        elif action == "file":
            for filename, data in _files(request, required=True):
                services.case_attachment_add(
                    case=case, data=data, filename=filename, from_reporter=True
                )
            context["success"] = "Đã gửi tệp."
    except ApplicationError as exc:
        context["error"], status = exc.message, form_page_status(exc.status)
    deadlines = selectors.case_deadlines(case)
    context.update(
        case=case,
        receipt=receipts.receipt_normalize(receipt),
        handling_unit=unit_current(case.unit),
        progress=selectors.case_progress(case, deadlines),
        progress_label=selectors.case_progress_label(case),
        # The reporter's own report first, then what was said since (issue #27).
        report=selectors.case_description(case),
        # The place the citizen gave: their own data, on the page their secret code opens.
        place=selectors.case_address(case),
        timeline=selectors.case_timeline(case, for_reporter=True),
    )
    return _no_store(render(request, "cases/receipt.html", context, status=status))


# --- console --------------------------------------------------------------------------------------


def _assignees(user, unit: Unit | None):
    units = visible_units(user)
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    ids = Membership.objects.filter(unit__in=units, role__in=services.HANDLER_ROLES).values_list(
        "user_id", flat=True
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


def _flag(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


@login_required
def console_list(request):
    unit = current_unit(request)
    g = request.GET
    filters = {
        "category": g.get("category") or None,
        "status": g.get("status") or None,
        "overdue": _flag(g.get("overdue", "")),
        "due_soon": g.get("due_soon") == "1",
        "q": g.get("q") or None,
        "unit": unit.code if unit else None,
    }
    error = None
    try:
        cases = selectors.case_list(user=request.user, **filters)
    except ApplicationError as exc:
        error, cases = exc.message, Case.objects.none()
    page = Paginator(cases, 30).get_page(g.get("page"))
    rate = selectors.on_time_rate(user=request.user, unit=unit.code if unit else None)
    return render(
        request,
        "cases/console_list.html",
        {
            "page": page,
            "filters": g,
            "error": error,
            "categories": selectors.category_list(),
            "statuses": Status.choices,
            "assignees": _assignees(request.user, unit),
            "rate": rate,
            "pending_reveals": selectors.reveal_requests_pending(user=request.user).count(),
            "can_intake": selectors.intake_units(request.user).exists(),
        },
    )


@login_required
@require_POST
def console_bulk_assign(request):
    form = forms.BulkAssignForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(first_error(form))
        data = form.cleaned_data
        assignee = User.objects.filter(pk=data["assignee"] or 0).first()
        cases = services.case_bulk_assign(case_ids=data["ids"], by=request.user, assignee=assignee)
        messages.success(request, f"Đã phân công {len(cases)} vụ việc.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("/staff/cases/")


@login_required
def console_new(request):
    """An officer records a tip taken by phone or in person."""
    unit = current_unit(request)
    context = {
        "unit": unit,
        "categories": selectors.category_list(),
        "values": {},
        "error": None,
        "channels": [(Channel.PHONE, "Điện thoại"), (Channel.WALK_IN, "Trực tiếp")],
    }
    if request.method == "POST":
        form = forms.CaseRecordForm(request.POST)
        context["values"] = request.POST  # everything typed stays in the form
        try:
            if not form.is_valid():
                raise ApplicationError(first_error(form))
            post = form.cleaned_data
            # The unit picker sends the chosen unit's code, or only what was typed (no
            # JavaScript); either is looked up among the units the officer records tips for.
            target = unit_choose(
                within=selectors.intake_units(request.user),
                code=post["unit"],
                text=post["unit_text"],
                field="unit",
            )
            case, _receipt = services.case_record(
                by=request.user,
                unit=target,
                category_code=post["category"],
                description=post["description"],
                channel=post["channel"],
                reporter={
                    "name": post["name"],
                    "phone": post["phone"],
                    "address": post["reporter_address"],
                    "id_number": post["id_number"],
                },
                is_anonymous=post["anonymous"],
                refusal_reason=post["refusal_reason"],
                is_urgent=post["urgent"],
                address=post["address"],
            )
            messages.success(request, f"Đã ghi nhận vụ việc {case.tracking_code}.")
            return redirect(f"/staff/cases/{case.pk}/")
        except ApplicationError as exc:
            context["error"] = exc.message
            return render(
                request, "cases/console_new.html", context, status=form_page_status(exc.status)
            )
    return render(request, "cases/console_new.html", context)


@login_required
def console_detail(request, case_id: int):
    try:
        case = selectors.case_get(user=request.user, case_id=case_id)
    except NotFound as exc:
        raise Http404 from exc
    handler = has_role(request.user, case.unit, services.HANDLER_ROLES)
    content = services.case_content_open(case=case, by=request.user) if handler else {}
    deadline_rows = selectors.case_deadlines(case)
    # Only steps with an extension left under their policy are offered for "Gia hạn".
    extendable = [
        d
        for d in deadline_rows
        if d.met_at is None and not d.cancelled and deadlines.extension_next(case, d.step)
    ]
    assignees = _assignees(request.user, case.unit)
    actions = services.case_actions_allowed(
        case=case, user=request.user, extendable=bool(extendable)
    )
    if not assignees:
        actions = [a for a in actions if a != "assign"]
    return render(
        request,
        "cases/console_detail.html",
        {
            "case": case,
            "handler": handler,
            "description": content.get("description"),
            "address": content.get("address"),
            "location": content.get("location"),
            "deadlines": [(d, selectors.deadline_state(d)) for d in deadline_rows],
            "extendable": extendable,
            "actions": actions,
            "timeline": selectors.case_timeline(case) if handler else [],
            "attachments": case.attachments.all() if handler else [],
            "assignees": assignees,
            "categories": selectors.category_list(),
            "reveal_requests": case.reveal_requests.select_related("requested_by", "decided_by"),
            "is_approver": has_role(request.user, case.unit, services.APPROVER_ROLES),
            "may_publish": policies.result_may_be_public(case),
        },
    )


# Each action from the page's form (``p``: the cleaned ``CaseActionForm``) to its service.
ACTIONS = {
    "classify": lambda c, u, p: services.case_classify(
        case=c, by=u, category_code=p["category"] or None, is_urgent=p["urgent"]
    ),
    "assign": lambda c, u, p: services.case_assign(
        case=c, by=u, assignee=User.objects.filter(pk=p["assignee"] or 0).first()
    ),
    "verify": lambda c, u, p: services.case_verify_start(case=c, by=u),
    "resolve": lambda c, u, p: services.case_resolve(
        case=c, by=u, result=p["result"], public=p["public"]
    ),
    # The unit picker sends the chosen unit's code, or only what was typed (no JavaScript).
    "transfer": lambda c, u, p: services.case_transfer(
        case=c,
        by=u,
        to_unit=unit_choose(
            within=selectors.transfer_targets(c),
            code=p["to_unit"],
            text=p["to_unit_text"],
            field="to_unit",
        ),
        reason=p["reason"],
    ),
    "decline": lambda c, u, p: services.case_decline(
        case=c,
        by=u,
        reason=p["reason"],
        guidance=p["guidance"],
        public=p["public"],
    ),
    "merge": lambda c, u, p: services.case_merge(
        case=c,
        by=u,
        into=selectors.case_list(user=u, q=p["into"] or "-").first()
        or _missing("Không tìm thấy vụ việc đích trong phạm vi của bạn."),
    ),
    "note": lambda c, u, p: services.case_note_add(case=c, by=u, body=p["body"]),
    "reply": lambda c, u, p: services.case_reply(case=c, by=u, body=p["body"]),
    "extend": lambda c, u, p: services.case_deadline_extend(
        case=c, by=u, step=p["step"], reason=p["reason"]
    ),
    "reveal_request": lambda c, u, p: services.case_identity_reveal_request(
        case=c, by=u, reason=p["reason"]
    ),
}
DONE = {
    "classify": "Đã phân loại.",
    "assign": "Đã phân công.",
    "verify": "Đã chuyển sang xác minh.",
    "resolve": "Đã kết thúc vụ việc.",
    "transfer": "Đã chuyển đơn vị.",
    "decline": "Đã trả lời không thuộc thẩm quyền.",
    "merge": "Đã gộp vụ việc.",
    "note": "Đã thêm ghi chú.",
    "reply": "Đã gửi trả lời.",
    "extend": "Đã gia hạn.",
    "reveal_request": "Đã gửi đề nghị, chờ chỉ huy duyệt.",
    "attach": "Đã đính kèm tệp.",
}


def _missing(message: str):
    raise ApplicationError(message, code="not_found", status=404)


@login_required
@require_POST
def console_action(request, case_id: int, action: str):
    try:
        case = selectors.case_get(user=request.user, case_id=case_id)
    except NotFound as exc:
        raise Http404 from exc
    try:
        if action == "attach":
            for filename, data in _files(request, required=True):
                services.case_attachment_add(
                    case=case, data=data, filename=filename, by=request.user
                )
        elif action in ACTIONS:
            form = forms.CaseActionForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(first_error(form))
            ACTIONS[action](case, request.user, form.cleaned_data)
        else:
            raise Http404
        messages.success(request, DONE[action])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    now_at = Unit.objects.filter(cases__pk=case.pk).first() if action == "transfer" else None
    if now_at is not None and not can_see_unit(request.user, now_at):
        # Sent to a unit outside the officer's own subtree (the next ward): the case is no
        # longer theirs to open, so back to the list rather than a "not found" page.
        return redirect("/staff/cases/")
    return redirect(f"/staff/cases/{case.pk}/")


@login_required
@require_POST
def console_identity(request, case_id: int):
    try:
        case = selectors.case_get(user=request.user, case_id=case_id)
        identity = services.case_identity_reveal(case=case, by=request.user)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"/staff/cases/{case_id}/")
    return _no_store(
        render(request, "cases/console_identity.html", {"case": case, "identity": identity})
    )


@login_required
def console_reveal_requests(request):
    if request.method == "POST":
        form = forms.RevealDecisionForm(request.POST)
        try:
            if not form.is_valid():
                raise ApplicationError(first_error(form))
            found = selectors.reveal_request_get(
                user=request.user, request_id=form.cleaned_data["request"] or 0
            )
            services.case_identity_reveal_decide(
                request=found, by=request.user, approve=form.cleaned_data["approve"]
            )
            messages.success(request, "Đã ghi nhận quyết định.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("/staff/cases/identity-requests/")
    return render(
        request,
        "cases/console_reveals.html",
        {"requests": selectors.reveal_requests_pending(user=request.user)},
    )


def attachment_response(*, case: Case, user, attachment_id: int) -> HttpResponse:
    """The decrypted file, for a handler of the case's unit (``case_attachment_open`` checks
    and logs), named after the case with the extension of its checked type."""
    attachment, data = services.case_attachment_open(
        case=case, by=user, attachment_id=attachment_id
    )
    response = HttpResponse(data, content_type=attachment.content_type)
    extension = attachment.storage_name.rsplit(".", 1)[-1].lower()
    if extension not in EXTENSIONS.get(attachment.content_type, ()):
        extension = EXTENSIONS.get(attachment.content_type, ("bin",))[0]  # stored as .bin before
    name = f"{case.tracking_code}-{attachment.pk}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


@login_required
def console_attachment(request, case_id: int, attachment_id: int):
    try:
        case = selectors.case_get(user=request.user, case_id=case_id)
        return attachment_response(case=case, user=request.user, attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def console_attachment_thumbnail(request, case_id: int, attachment_id: int):
    """An image attachment's thumbnail for the case page: the same scope and role check as the
    file itself, never cached, never at a public address."""
    try:
        case = selectors.case_get(user=request.user, case_id=case_id)
        data = services.case_attachment_thumbnail(
            case=case, by=request.user, attachment_id=attachment_id
        )
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="{case.tracking_code}-{attachment_id}.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)
