"""Cases as the API's output schemas carry them."""

from django.conf import settings
from django.utils import timezone

from langnghe.accounts.selectors import has_role

from .. import selectors, services
from ..models import Case


def _deadlines(case: Case) -> list[dict]:
    return [
        {
            "step": d.step,
            "label": d.label,
            "due_at": d.due_at,
            "met_at": d.met_at,
            "law": d.law,
            "state": selectors.deadline_state(d),
            "extensions_used": d.extensions_used,
        }
        for d in selectors.case_deadlines(case)
    ]


def _status_url(case: Case) -> str:
    return f"{settings.LANGNGHE_PUBLIC_URL}/phan-anh/tra-cuu/?ma={case.tracking_code}"


def _created(case, receipt: str | None) -> dict:
    """The answer to a new case, whoever recorded it. The receipt is shown this once."""
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "status": case.status,
        "category": case.category.code,
        "unit": case.unit,
        "routed_by": case.routed_by,
        "deadlines": _deadlines(case),
        "status_url": _status_url(case),
        "receipt": receipt,
        "urgent": case.is_urgent,
        "hotline": case.triage_hotline or None,
    }


def _list_item(case: Case) -> dict:
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "category": case.category.code,
        "status": case.status,
        "unit": case.unit,
        "is_urgent": case.is_urgent,
        "is_anonymous": case.is_anonymous,
        "channel": case.channel,
        "received_at": case.received_at,
        "next_due_at": case.next_due_at,
        "overdue": bool(case.is_open and case.next_due_at and case.next_due_at < timezone.now()),
        "assignee": case.assignee.get_username() if case.assignee else None,
    }


def _detail(case: Case, user) -> dict:
    case = Case.objects.select_related(
        "category", "unit", "unit__kind", "assignee", "merged_into"
    ).get(pk=case.pk)
    handler = has_role(user, case.unit, services.HANDLER_ROLES)
    timeline = selectors.case_timeline(case) if handler else []
    content = services.case_content_open(case=case, by=user) if handler else {}
    return {
        **_list_item(case),
        "description": content.get("description"),
        "address": content.get("address"),
        "location": content.get("location"),
        "routed_by": case.routed_by,
        "status_note": case.status_note,
        "public_summary": case.public_summary,
        "decline_guidance": case.decline_guidance,
        "has_reporter_identity": case.has_reporter_identity,
        "merged_into": case.merged_into.tracking_code if case.merged_into else None,
        "deadlines": _deadlines(case),
        "timeline": [
            {
                "id": t.entry.pk,
                "at": t.entry.at,
                "kind": t.entry.kind,
                "actor": t.entry.actor.get_username() if t.entry.actor else None,
                "from_reporter": t.entry.from_reporter,
                "visible_to_reporter": t.entry.visible_to_reporter,
                "body": t.body,
                "data": t.entry.data,
            }
            for t in timeline
        ],
        "attachments": list(case.attachments.all()) if handler else [],
    }


def _track(case: Case) -> dict:
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_label": case.get_status_display(),
        "open311_status": "open" if case.is_open else "closed",
        "category": case.category.name,
        "unit": case.unit,
        "received_at": case.received_at,
        "status_note": case.status_note,
        "messages": [
            {
                "at": t.entry.at,
                "from_reporter": t.entry.from_reporter,
                "kind": t.entry.kind,
                "body": t.body,
            }
            for t in selectors.case_timeline(case, for_reporter=True)
        ],
    }
