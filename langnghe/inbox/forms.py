"""The forms of the duty desk's pages and of the citizen's web chat: they parse what a page
POSTs; the services check it against the rules (and raise ``ApplicationError``)."""

import datetime as dt

from django import forms
from django.utils import timezone

from langnghe.core.forms import FlagField, TextField

from . import selectors
from .models import ConversationStatus

SHIFT_TIMES_MISSING = "Hãy chọn ngày, giờ bắt đầu và giờ kết thúc của ca trực."


class ReplyForm(forms.Form):
    """The reply box without script: a reply, a note, a status, or "make a case"."""

    ACTIONS = ("reply", "note", "to_case", *ConversationStatus.values)

    action = forms.CharField(required=False)
    text = TextField()

    def clean_action(self) -> str:
        action = self.cleaned_data["action"] or "reply"
        if action not in self.ACTIONS:  # a button the page never shows: nothing is done
            raise forms.ValidationError("Thao tác không hợp lệ.")
        return action


class CannedForm(forms.Form):
    """The saved answers page: the unit's signature, delete one answer, or add one."""

    action = forms.CharField(required=False)
    signature = forms.CharField(required=False)
    desk_name = TextField()
    delete = forms.IntegerField(
        required=False, error_messages={"invalid": "Không tìm thấy mẫu trả lời."}
    )
    title = TextField()
    text = TextField()


class RosterForm(forms.Form):
    """The roster page: cancel a shift, copy last week's, or add a shift (a day, a start and an
    end time; an end not after the start is the next day's: a night or a 24-hour shift)."""

    cancel = forms.IntegerField(required=False, error_messages={"invalid": "Yêu cầu không hợp lệ."})
    action = forms.CharField(required=False)
    day = forms.CharField(required=False)
    start = forms.CharField(required=False)
    end = forms.CharField(required=False)
    officer = forms.CharField(required=False)
    lead = forms.BooleanField(required=False)
    note = TextField()

    def clean(self):
        data = super().clean()
        if self.errors or data.get("cancel") is not None or data.get("action") == "copy":
            return data
        try:
            day = dt.date.fromisoformat(data.get("day", ""))
            start = dt.time.fromisoformat(data.get("start", ""))
            end = dt.time.fromisoformat(data.get("end", ""))
        except ValueError:
            raise forms.ValidationError(SHIFT_TIMES_MISSING, code="times") from None
        if not selectors.ROSTER_YEARS[0] <= day.year <= selectors.ROSTER_YEARS[1]:
            raise forms.ValidationError("Ngày của ca trực không hợp lệ.", code="day")
        starts_at = timezone.make_aware(dt.datetime.combine(day, start))
        ends_at = timezone.make_aware(dt.datetime.combine(day, end))
        if ends_at <= starts_at:
            ends_at = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), end))
        officer = data.get("officer", "")
        data.update(
            starts_at=starts_at,
            ends_at=ends_at,
            officer_id=int(officer) if officer.isdigit() else None,
        )
        return data


class ChatForm(forms.Form):
    """The chat without script: the token (hidden), the message, and who writes it."""

    token = forms.CharField(required=False)
    action = forms.CharField(required=False)
    text = TextField()
    name = TextField()
    phone = TextField()
    anonymous = FlagField()
