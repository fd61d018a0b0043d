"""The forms of the cases pages (the public form, the tipster's mailbox, the console): they
parse what a page POSTs; the services check it against the rules (``ApplicationError``)."""

from django import forms

from langnghe.core.forms import INVALID_INPUT, FlagField, IntegerListField, TextField


class ReporterFields(forms.Form):
    """Who reports, and where it happened (the public form and an officer's intake)."""

    unit = forms.CharField(required=False)
    category = forms.CharField(required=False)
    description = TextField()
    address = TextField()
    anonymous = FlagField()
    name = TextField()
    phone = TextField()
    reporter_address = TextField()


class ReportForm(ReporterFields):
    """The citizen's report (the public form)."""


class CaseRecordForm(ReporterFields):
    """A tip an officer takes by phone or in person."""

    unit_text = TextField()
    channel = forms.CharField(required=False)
    id_number = TextField()
    refusal_reason = TextField()
    urgent = FlagField()


class ReceiptForm(forms.Form):
    """The anonymous tipster's mailbox: the receipt comes with every action."""

    receipt = forms.CharField(required=False, strip=False)
    action = forms.CharField(required=False)
    body = TextField()

    def clean_action(self) -> str:
        return self.cleaned_data["action"] or "view"


class BulkAssignForm(forms.Form):
    ids = IntegerListField(required=True, error_messages={"required": "Chưa chọn vụ việc nào."})
    assignee = forms.IntegerField(required=False, error_messages={"invalid": INVALID_INPUT})


class CaseActionForm(forms.Form):
    """What any of the case page's actions sends (each reads the fields it needs)."""

    category = forms.CharField(required=False)
    urgent = FlagField()
    assignee = forms.IntegerField(required=False, error_messages={"invalid": INVALID_INPUT})
    result = TextField()
    public = FlagField()
    to_unit = forms.CharField(required=False)
    to_unit_text = TextField()
    reason = TextField()
    guidance = TextField()
    into = forms.CharField(required=False)
    body = TextField()
    step = forms.CharField(required=False)


class RevealDecisionForm(forms.Form):
    request = forms.IntegerField(required=False, error_messages={"invalid": INVALID_INPUT})
    approve = forms.TypedChoiceField(
        choices=[("1", "Duyệt"), ("0", "Từ chối")],
        coerce=lambda value: value == "1",
        error_messages={
            "required": "Hãy chọn Duyệt hoặc Từ chối.",
            "invalid_choice": "Hãy chọn Duyệt hoặc Từ chối.",
        },
    )


class Open311RequestForm(forms.Form):
    """A service request an Open311 client POSTs (GeoReport v2 names). Every field optional:
    the view answers each missing one with the Open311 error the specification names."""

    api_key = forms.CharField(required=False, strip=False)
    service_code = forms.CharField(required=False)
    address_string = forms.CharField(required=False)
    lat = forms.CharField(required=False)
    long = forms.CharField(required=False)
    address_id = forms.CharField(required=False)
    description = TextField()
    first_name = forms.CharField(required=False)
    last_name = forms.CharField(required=False)
    phone = TextField()
    email = TextField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Open311's extension attributes: names no Python identifier can spell.
        self.fields["attribute[anonymous]"] = forms.CharField(required=False)
        self.fields["attribute[unit]"] = forms.CharField(required=False)
