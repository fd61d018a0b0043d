"""The report request form of the dashboard: parsed here, checked by ``services.report_request``
(the unit in the scope, the period, the format)."""

from django import forms


class ReportRequestForm(forms.Form):
    """A unit (else the current one), and a month (``YYYY-MM``) or a period ``from``–``to``
    (dates checked by ``langnghe.core.dates.parse_date`` in the view's ``_scope``)."""

    unit = forms.CharField(required=False)
    month = forms.CharField(required=False)
    format = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.CharField(required=False)  # a Python keyword
        self.fields["to"] = forms.CharField(required=False)

    def clean_format(self) -> str:
        return self.cleaned_data["format"] or "pdf"
