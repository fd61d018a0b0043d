"""The access matrix: every API operation (from the OpenAPI document) and every page (from the
URL configuration) called by every kind of person, so a new endpoint is covered the day it
appears.

People: anonymous, an officer of another commune (BG-X07204, all roles), each role of the
owning commune (BG-X07201), the supervisor of the district above (BG-H213) and a superuser.
A small world of objects owned by BG-X07201 fills the path parameters.

What is asserted:
- no 5xx for anyone;
- staff operations and staff pages refuse anonymous callers (401/403 or a redirect to login);
- the officer of another commune gets 403/404 on every object of BG-X07201 and never sees
  them in a list;
- the owning unit's roles, the district supervisor and a superuser are allowed, except where
  the explicit table ``ROLE_RULES`` says a role may not (the apps' own rules, kept small);
- a refusal changes nothing: a fingerprint of the tables is the same before and after.

Each call runs in a savepoint that is rolled back, so every call sees the same fresh world.
"""

import datetime as dt
import io
import json
import re
import uuid

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import CITY, THO_XUONG, TRAN_NGUYEN_HAN

ROLES = ["admin", "supervisor", "editor", "duty_officer", "investigator", "viewer"]
ACTORS = ["anonymous", "other_commune", *[f"unit_{r}" for r in ROLES], "district", "superuser"]

# Where the apps' rules let only some roles of the owning unit act. Key: (METHOD, path
# template); value: the roles allowed (district supervisor and superuser always are). A role
# not listed must be refused with 403 (or 404 where the app hides what it will not show).
HANDLERS = {"admin", "supervisor", "duty_officer", "investigator"}
MANAGERS = {"admin", "supervisor"}
PUBLISHERS = {"admin", "supervisor", "editor"}
CASE_WRITES = [
    "/api/v1/cases/intake",
    "/api/v1/cases/bulk-assign",
    "/api/v1/cases/{case_id}/classify",
    "/api/v1/cases/{case_id}/assign",
    "/api/v1/cases/{case_id}/verify",
    "/api/v1/cases/{case_id}/resolve",
    "/api/v1/cases/{case_id}/transfer",
    "/api/v1/cases/{case_id}/decline",
    "/api/v1/cases/{case_id}/merge",
    "/api/v1/cases/{case_id}/notes",
    "/api/v1/cases/{case_id}/replies",
    "/api/v1/cases/{case_id}/attachments",
    "/api/v1/cases/{case_id}/deadlines/{step}/extend",
    "/api/v1/cases/{case_id}/identity-requests",
    "/api/v1/cases/{case_id}/identity",
]
# The duty desk (inbox.selectors.conversation_for): reading a citizen's words, name and phone,
# and answering them, belong to the desk roles; everyone else sees counts only.
DESK = {"supervisor", "duty_officer"}
INBOX_DESK = [
    ("GET", "/api/v1/inbox/conversations"),
    ("GET", "/api/v1/inbox/conversations/{conversation_id}"),
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/messages"),
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/notes"),
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/status"),
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/assign"),
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/case"),
    # Correcting the triage label of a citizen's message (#26): the desk of its unit only.
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/messages/{message_id}/triage"),
]
ROLE_RULES: dict[tuple[str, str], set[str]] = {
    **{("POST", p): HANDLERS for p in CASE_WRITES},
    **dict.fromkeys(INBOX_DESK, DESK),
    # Approving a reveal of the reporter's identity: commanders only (Luật Tố cáo 2018 Điều 56),
    # not the IT administrator.
    ("POST", "/api/v1/cases/identity-requests/{request_id}/decision"): {"supervisor"},
    # Attachments are opened by handlers only; others get 404 (the file is not shown).
    ("GET", "/api/v1/cases/{case_id}/attachments/{attachment_id}"): HANDLERS,
    ("POST", "/api/v1/surveys/responses/{response_id}/flag"): MANAGERS,
    ("GET", "/api/v1/surveys/flagged"): MANAGERS,
    ("POST", "/api/v1/surveys/templates"): MANAGERS,
    ("PUT", "/api/v1/surveys/assignments/{unit_code}"): MANAGERS,
    ("POST", "/api/v1/posts"): PUBLISHERS,
    ("PATCH", "/api/v1/posts/{post_id}"): PUBLISHERS,
    ("POST", "/api/v1/posts/{post_id}/cover"): PUBLISHERS,
    ("POST", "/api/v1/posts/{post_id}/publish"): PUBLISHERS,
    ("POST", "/api/v1/posts/{post_id}/archive"): PUBLISHERS,
    ("POST", "/api/v1/posts/{post_id}/zalo-broadcast"): PUBLISHERS,
    # Unit pickers (#27): they list the units where the person may act, for that action only.
    ("GET", "/api/v1/cases/intake-units"): HANDLERS,
    ("GET", "/api/v1/cases/{case_id}/transfer-units"): HANDLERS,
    ("GET", "/api/v1/posts/audience-units"): PUBLISHERS,
}
# Exact answers of the duty desk's operations (not "some 4xx"): a role the rules allow must
# succeed — a 400/422 would hide a missing rule behind a validation error — and a role they
# refuse, in scope, must get 403, not 404 (the conversation's existence is no secret to a
# member of its unit, who sees it counted). Bodies in ``body_overrides`` are valid.
EXACT = {
    ("GET", "/api/v1/inbox/conversations"): 200,
    ("GET", "/api/v1/inbox/conversations/{conversation_id}"): 200,
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/messages"): 201,
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/notes"): 201,
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/status"): 200,
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/assign"): 200,
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/case"): 201,
    ("POST", "/api/v1/inbox/conversations/{conversation_id}/messages/{message_id}/triage"): 201,
    ("GET", "/api/v1/inbox/counts"): 200,
}
# Operations that declare a token but also serve anonymous callers, rate-limited (the triage
# classifier helps the public report form).
OPTIONAL_AUTH = {("POST", "/api/v1/triage")}
# Exports and reports belong to the officer who asked for them: everyone else gets 404.
REQUESTER_ONLY = {
    "/api/v1/surveys/exports/{export_id}",
    "/api/v1/surveys/exports/{export_id}/file",
    "/api/v1/insights/reports/{report_id}",
    "/api/v1/insights/reports/{report_id}/file",
}
REQUESTER = "unit_supervisor"
# A 403 that is a state rule, not a role rule: the request reached the business logic.
STATE_REFUSALS = {"reveal_not_approved"}
# Outcomes that mean "allowed, the request reached the business rules" for a write.
ALLOWED = {200, 201, 202, 204, 400, 409, 413, 415, 422}
DENIED = {401, 403, 404}


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


# --- the world ----------------------------------------------------------------------------------


@pytest.fixture
def world(db, make_staff, unit):
    from langnghe.cases import services as case_services
    from langnghe.content.services import post_create
    from langnghe.inbox.services import message_receive
    from langnghe.surveys.services import export_request, response_submit

    people = {"anonymous": None}
    for role in ROLES:
        people[f"unit_{role}"] = make_staff(THO_XUONG, role)
    people["other_commune"] = make_staff(TRAN_NGUYEN_HAN, "supervisor")
    people["district"] = make_staff(CITY, "supervisor")
    superuser = make_staff(THO_XUONG, "viewer", username="matrix_superuser")
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    people["superuser"] = superuser

    case, _receipt = case_services.case_create(
        category_code="crime_report",
        description="Có người lạ bẻ khóa xe máy trước nhà văn hóa tổ 5.",
        unit_code=THO_XUONG,
        reporter={"name": "Nguyễn Văn A", "phone": "0912345678"},
        attachments=[PNG],
    )
    other_case, _ = case_services.case_create(
        category_code="public_order",
        description="Tiếng ồn karaoke sau 23 giờ ở ngõ 12.",
        unit_code=THO_XUONG,
        is_anonymous=True,
    )
    reveal = case_services.case_identity_reveal_request(
        case=case, by=people["unit_investigator"], reason="Cần liên hệ người báo tin để xác minh."
    )
    message = message_receive(
        unit=unit(THO_XUONG),
        channel="web",
        external_id="matrix-visitor",
        text="Cho hỏi thủ tục đăng ký tạm trú cần giấy tờ gì?",
    )
    response, _ = response_submit(
        unit_code=THO_XUONG,
        client_id=uuid.uuid4(),
        answers={"overall": "5"},
        comment="Cán bộ hướng dẫn tận tình.",
    )
    post = post_create(by=people["unit_editor"], unit=unit(THO_XUONG), title="Cảnh giác lừa đảo")
    export = export_request(
        user=people["unit_supervisor"], unit=unit(THO_XUONG), export_format="xlsx", params={}
    )
    report = _report(people["unit_supervisor"], unit(THO_XUONG))
    step = case.deadlines.order_by("due_at").first().step
    return {
        "people": people,
        "case": case,
        "other_case": other_case,
        "reveal": reveal,
        "conversation": message.conversation,
        "message": message,
        "response": response,
        "post": post,
        "export": export,
        "report": report,
        "attachment": case.attachments.first(),
        "step": step,
        "unit": unit(THO_XUONG),
    }


def _report(user, unit):
    try:
        from langnghe.insights.selectors import period_get
        from langnghe.insights.services import report_request
    except ImportError:  # the insights app may change; a missing report only narrows coverage
        return None
    return report_request(user=user, unit=unit, period=period_get(), report_format="pdf")


def _params(world) -> dict[str, str]:
    unit = world["unit"]
    report = world["report"]
    return {
        "case_id": str(world["case"].pk),
        "attachment_id": str(world["attachment"].pk),
        "request_id": str(world["reveal"].pk),
        "step": world["step"],
        "conversation_id": str(world["conversation"].pk),
        "message_id": str(world["message"].pk),
        "response_id": str(world["response"].pk),
        "post_id": str(world["post"].pk),
        "pk": str(world["post"].pk),
        "export_id": str(world["export"].pk),
        "report_id": str(report.pk) if report else str(uuid.uuid4()),
        "unit_code": unit.code,
        "slug": unit.slug,
        "fmt": "json",
        "action": "resolve",
    }


# Path parameters that point at an object of BG-X07201 (the other commune must not reach it).
OWNED_PARAMS = {
    "case_id",
    "attachment_id",
    "request_id",
    "conversation_id",
    "message_id",
    "response_id",
    "export_id",
    "report_id",
}
# Objects that are public once published are not owned-secret (posts: drafts are hidden, and
# the world's post is a draft, so posts count as owned too).
OWNED_PARAMS |= {"post_id", "pk"}


# --- fingerprint ----------------------------------------------------------------------------------

FINGERPRINT_MODELS = [
    "cases.Case",
    "cases.CaseEntry",
    "cases.CaseAttachment",
    "cases.IdentityRevealRequest",
    "inbox.Conversation",
    "inbox.Message",
    "inbox.Note",
    "surveys.SurveyResponse",
    "surveys.SurveyTemplate",
    "surveys.SurveyExport",
    "content.Post",
    "audit.AuditEntry",
    "triage.TriageCorrection",
]


def _models():
    found = []
    for label in FINGERPRINT_MODELS:
        try:
            found.append(apps.get_model(label))
        except LookupError:
            continue
    return found


def fingerprint(world) -> tuple:
    """Row counts of the tables people write, and the state of the world's objects."""
    from langnghe.cases.models import Case, IdentityRevealRequest
    from langnghe.content.models import Post
    from langnghe.inbox.models import Conversation
    from langnghe.surveys.models import SurveyResponse

    counts = tuple(m.objects.count() for m in _models())
    states = (
        tuple(
            Case.objects.filter(pk__in=[world["case"].pk, world["other_case"].pk])
            .order_by("pk")
            .values_list("status", "unit_id", "assignee_id", "category_id", "updated_at")
        ),
        IdentityRevealRequest.objects.filter(pk=world["reveal"].pk).values_list("status").first(),
        Conversation.objects.filter(pk=world["conversation"].pk)
        .values_list("status", "assignee_id", "unread_count", "case_id")
        .first(),
        SurveyResponse.objects.filter(pk=world["response"].pk).values_list("is_flagged").first(),
        Post.objects.filter(pk=world["post"].pk).values_list("state", "title").first(),
    )
    return counts, states


# --- calling ------------------------------------------------------------------------------------


def client_for(world, actor: str) -> Client:
    client = Client()
    user = world["people"][actor]
    if user is not None:
        client.force_login(user)
    return client


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def example(schema, node, depth=0):
    """A small valid-looking value for a JSON schema node (required fields only)."""
    node = _resolve(schema, node or {})
    if depth > 5:
        return None
    for combo in ("anyOf", "oneOf", "allOf"):
        if combo in node:
            options = [o for o in node[combo] if _resolve(schema, o).get("type") != "null"]
            return example(schema, options[0] if options else {}, depth + 1)
    if "default" in node:
        return node["default"]
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    fmt = node.get("format", "")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        return {
            key: example(schema, props[key], depth + 1)
            for key in node.get("required", [])
            if key in props
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if fmt == "binary":
        return io.BytesIO(PNG)
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "date":
        return dt.date.today().isoformat()
    if fmt == "date-time":
        return dt.datetime.now(dt.UTC).isoformat()
    return "Kiểm tra quyền truy cập"[: node.get("maxLength", 100)]


def body_overrides(world) -> dict[tuple[str, str], dict]:
    """Bodies that reach past validation to the scope and role checks."""
    people = world["people"]
    return {
        ("POST", "/api/v1/cases/{case_id}/assign"): {
            "assignee": people["unit_investigator"].username
        },
        ("POST", "/api/v1/cases/bulk-assign"): {
            "ids": [world["case"].pk],
            "assignee": people["unit_investigator"].username,
        },
        ("POST", "/api/v1/cases/{case_id}/merge"): {"into": world["other_case"].pk},
        ("POST", "/api/v1/cases/{case_id}/transfer"): {
            "to_unit": CITY,
            "reason": "Vượt thẩm quyền của phường.",
        },
        ("POST", "/api/v1/cases/{case_id}/classify"): {"category": "public_order"},
        ("POST", "/api/v1/cases/identity-requests/{request_id}/decision"): {"approve": True},
        ("POST", "/api/v1/inbox/conversations/{conversation_id}/status"): {"status": "resolved"},
        ("POST", "/api/v1/inbox/conversations/{conversation_id}/messages"): {
            "text": "Trực ban đã nhận tin."
        },
        ("POST", "/api/v1/inbox/conversations/{conversation_id}/notes"): {"text": "Ghi chú."},
        ("POST", "/api/v1/inbox/conversations/{conversation_id}/case"): {
            "category": "public_order"
        },
        ("POST", "/api/v1/inbox/conversations/{conversation_id}/messages/{message_id}/triage"): {
            "category": "procedure_question"
        },
        ("POST", "/api/v1/inbox/conversations/{conversation_id}/assign"): {
            "assignee": people["unit_duty_officer"].pk
        },
        ("POST", "/api/v1/surveys/responses/{response_id}/flag"): {
            "flagged": True,
            "reason": "Nghi ngờ gửi hàng loạt.",
        },
        ("PUT", "/api/v1/surveys/assignments/{unit_code}"): {"template": None},
        ("POST", "/api/v1/surveys/exports"): {"unit": THO_XUONG, "format": "xlsx"},
        ("POST", "/api/v1/insights/reports"): {"unit": THO_XUONG, "format": "pdf"},
        ("POST", "/api/v1/posts"): {"unit": THO_XUONG, "title": "Bài kiểm tra"},
        ("PATCH", "/api/v1/posts/{post_id}"): {"title": "Tiêu đề mới"},
    }


def api_operations():
    from langnghe.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            ops.append((method.upper(), path, op))
    return schema, ops


def call_api(client, world, schema, method, path, op):
    params = _params(world)
    url = re.sub(r"\{(\w+)\}", lambda m: params.get(m.group(1), "1"), path)
    query = {}
    for parameter in op.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("required"):
            query[parameter["name"]] = example(schema, parameter.get("schema"))
        if parameter.get("in") == "query" and parameter["name"] == "unit":
            query["unit"] = THO_XUONG
    content = op.get("requestBody", {}).get("content", {})
    kwargs = {}
    if "application/json" in content:
        body = example(schema, content["application/json"].get("schema"))
        body.update(body_overrides(world).get((method, path), {}))
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    elif "multipart/form-data" in content:
        form = example(schema, content["multipart/form-data"].get("schema")) or {}
        for key, value in list(form.items()):
            if value == "Kiểm tra quyền truy cập" and "file" in key:
                form[key] = io.BytesIO(PNG)
        form.setdefault("file", io.BytesIO(PNG))
        kwargs = {"data": form}
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return getattr(client, method.lower())(url, **kwargs), url


def guarded(world, call):
    """Run ``call`` in a savepoint rolled back afterwards; returns (response, changed)."""
    cache.clear()
    with transaction.atomic():
        before = fingerprint(world)
        response = call()
        after = fingerprint(world)
        transaction.set_rollback(True)
    cache.clear()  # cached fragments of rolled-back objects must not outlive the call
    return response, before != after


def is_public(op) -> bool:
    return not op.get("security")


def path_params(path: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", path))


def _code(response) -> str:
    try:
        return response.json().get("code", "")
    except (ValueError, TypeError, AttributeError):
        return ""


def listed_ids(response) -> set:
    """Ids and codes found in a JSON list answer."""
    try:
        data = response.json()
    except (ValueError, TypeError):
        return set()
    items = data.get("items", data) if isinstance(data, dict) else data
    found = set()
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                for key in ("id", "tracking_code", "client_id"):
                    if key in item:
                        found.add(str(item[key]))
    return found


# --- the API matrix -------------------------------------------------------------------------------


def _expected_roles(method, path):
    return ROLE_RULES.get((method, path))


@pytest.mark.parametrize("actor", ACTORS)
def test_api_matrix(world, actor):
    schema, ops = api_operations()
    client = client_for(world, actor)
    problems = []
    owned = {
        str(world["case"].pk),
        world["case"].tracking_code,
        str(world["other_case"].pk),
        str(world["conversation"].pk),
        str(world["response"].pk),
        str(world["post"].pk),
    }
    for method, path, op in ops:
        response, changed = guarded(
            world, lambda m=method, p=path, o=op: call_api(client, world, schema, m, p, o)[0]
        )
        status = response.status_code
        where = f"{actor} {method} {path} → {status}"
        if status >= 500:
            problems.append(f"{where}: server error")
            continue
        if is_public(op) or (method, path) in OPTIONAL_AUTH:
            continue
        denied = status in DENIED
        if denied and changed:
            problems.append(f"{where}: refused but the data changed")
        if actor == "anonymous":
            if status not in (401, 403):
                problems.append(f"{where}: anonymous not refused")
            continue
        if actor == "other_commune":
            if path_params(path) & OWNED_PARAMS and status not in (403, 404):
                problems.append(f"{where}: another commune reached an object of {THO_XUONG}")
            if method == "GET" and status == 200 and (leak := listed_ids(response) & owned):
                if not path_params(path) & OWNED_PARAMS:
                    problems.append(f"{where}: list shows {sorted(leak)} of {THO_XUONG}")
            continue
        if status == 403 and _code(response) in STATE_REFUSALS:
            continue
        if path in REQUESTER_ONLY:
            # 409: the file is not built yet (the task runs after commit).
            if (actor == REQUESTER) != (status in (200, 409)):
                problems.append(f"{where}: only the officer who asked may fetch it")
            continue
        role = actor.removeprefix("unit_")
        rule = _expected_roles(method, path)
        may = actor in ("district", "superuser") or rule is None or role in rule
        if (method, path) in EXACT:
            expected = EXACT[(method, path)] if may else 403
            if status != expected:
                problems.append(f"{where}: expected exactly {expected}")
            if status == 403 and changed:
                problems.append(f"{where}: refused but the data changed")
            continue
        if may and status == 401:
            problems.append(f"{where}: a signed-in officer was asked to sign in")
        elif may and denied and status != 404:
            problems.append(f"{where}: refused, the rules allow it")
        elif may and status == 404 and path_params(path) & OWNED_PARAMS:
            problems.append(f"{where}: cannot find an object in scope")
        elif not may and status not in (403, 404):
            problems.append(f"{where}: allowed, the rules reserve it for {sorted(rule)}")
    assert not problems, "\n".join(problems)


# --- the page matrix --------------------------------------------------------------------------


def page_patterns():
    """(route, view name) of every page, from the URL configuration (API and Django admin are
    covered elsewhere)."""
    found = []

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            text = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if text.startswith(("api/", "django-admin/", "i18n/")):
                    continue
                walk(pattern, prefix + text)
            elif isinstance(pattern, URLPattern):
                found.append((prefix + text, pattern))

    walk(get_resolver())
    return found


def page_url(route: str, world) -> str | None:
    params = _params(world)
    params["code"] = THO_XUONG
    if "procedures" in route or route.startswith("thu-tuc/"):
        from langnghe.procedures.models import Procedure

        first = Procedure.objects.values_list("code", flat=True).first()
        params["code"] = first or "none"
    if "open311" in route:
        params["code"] = "crime_report"
        params["request_id"] = world["case"].tracking_code
        params["token"] = "none"
    if route.startswith("^media/"):
        return None  # files on disk, checked by the content app
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: "<" + m.group(1) + ">", route)
    # A regex with nested groups (e.g. the open311 format) may leave a tail; clean it.
    route = route.replace("\\.", ".")
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: params.get(m.group(1), "1"), route)
    if re.search(r"[()\[\]\\|$^]", url):
        return None
    return "/" + url


def is_staff_page(url: str) -> bool:
    return url.startswith("/staff/") and url not in ("/staff/login/", "/staff/logout/")


@pytest.mark.parametrize("actor", ACTORS)
def test_page_matrix(world, actor):
    client = client_for(world, actor)
    problems = []
    for route, _pattern in page_patterns():
        url = page_url(route, world)
        if url is None:
            continue
        names = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        names |= set(re.findall(r"\(\?P<(\w+)>", route))
        owned = bool(names & OWNED_PARAMS)
        for method in ("get", "post"):
            if method == "post" and not is_staff_page(url):
                continue
            response, changed = guarded(
                world, lambda m=method, u=url: getattr(client, m)(u, data={"action": "x"})
            )
            status = response.status_code
            where = f"{actor} {method.upper()} {url} → {status}"
            if status >= 500:
                problems.append(f"{where}: server error")
                continue
            if not is_staff_page(url):
                continue
            to_login = status == 302 and "/staff/login/" in response.get("Location", "")
            if actor == "anonymous":
                if not (to_login or status in (401, 403)):
                    problems.append(f"{where}: anonymous not refused")
                if changed:
                    problems.append(f"{where}: refused but the data changed")
            elif actor == "other_commune" and owned:
                # 405: a POST-only page asked with GET; 302: a form handler that says "not
                # found" on the next page (allowed only when nothing changed).
                if status not in (403, 404, 405) and not (method == "post" and status == 302):
                    problems.append(f"{where}: another commune reached an object of {THO_XUONG}")
                if changed:
                    problems.append(f"{where}: refused but the data changed")
            elif actor != "other_commune" and method == "get" and to_login:
                problems.append(f"{where}: a signed-in officer was sent to the login page")
    assert not problems, "\n".join(problems)


# --- the live feed ---------------------------------------------------------------------------

# Who may open the desk's socket, and so receive its events (inbox.consumers): the desk roles
# of the unit or above (0 = accepted); everyone else is closed with a code, before any event.
WS_RULES = {
    "anonymous": 4401,
    "other_commune": 0,  # a supervisor of another commune: accepted, but not for THO_XUONG
    "unit_admin": 4403,
    "unit_supervisor": 0,
    "unit_editor": 4403,
    "unit_duty_officer": 0,
    "unit_investigator": 4403,
    "unit_viewer": 4403,
    "district": 0,
    "superuser": 0,
}
# The live events published for a conversation of THO_XUONG (services._event, publish_many).
WS_EVENTS = ["message", "urgent", "assign", "status", "note", "read", "delivery", "urgent_case"]


@pytest.mark.parametrize("actor", ACTORS)
def test_live_feed_matrix(world, actor):
    """The socket's rule for each person, and for each event of THO_XUONG whether it reaches
    them: an event goes to the groups of its unit and the units above (live.py), a socket joins
    the groups its access returned — so it is delivered exactly to the desk roles above."""
    from django.contrib.auth.models import AnonymousUser

    from langnghe.inbox import live
    from langnghe.inbox.consumers import desk_access

    user = world["people"][actor]
    client = client_for(world, actor)
    session = client.session
    if user is not None:
        session.save()
    scope = {"session": session, "user": user or AnonymousUser()}
    refusal, roots = desk_access(scope)  # what the consumer runs (in a worker thread)
    assert refusal == WS_RULES[actor], f"{actor}: socket answered {refusal}"
    unit = world["unit"]
    event_groups = {live.group_name(pk) for pk in [*unit.ancestor_ids, unit.pk]}
    joined = {live.group_name(pk) for pk in roots}
    reaches = bool(joined & event_groups)
    should = actor in ("unit_supervisor", "unit_duty_officer", "district", "superuser")
    for kind in WS_EVENTS:
        assert reaches == should, f"{actor}: event {kind} reaches={reaches}, rule says {should}"


def test_matrix_covers_everything():
    """The matrix is derived, not listed: it sees at least the operations and pages of the
    apps known today (a guard against the enumeration silently finding nothing)."""
    _schema, ops = api_operations()
    paths = {p for _m, p, _o in ops}
    assert {"/api/v1/cases/{case_id}", "/api/v1/inbox/conversations"} <= paths
    assert len(ops) >= 60
    routes = [r for r, _p in page_patterns()]
    assert any(r.startswith("staff/cases/") for r in routes)
    assert len(routes) >= 40
    for method, path in ROLE_RULES:
        assert path in paths, f"ROLE_RULES names {method} {path}, which no longer exists"
