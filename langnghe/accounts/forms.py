"""The forms of the staff pages (switch unit, the second factor, enrolment codes): they parse
what a page POSTs; the rules stay in the services (``ApplicationError``)."""

from django import forms

from langnghe.core.forms import FlagField


class UnitSwitchForm(forms.Form):
    unit = forms.CharField(required=False, strip=False)
    next = forms.CharField(required=False, strip=False)


class SecondFactorForm(forms.Form):
    """The 6-digit code, or the first time the one-time enrolment code."""

    next = forms.CharField(required=False, strip=False)
    enrolment_code = forms.CharField(required=False, strip=False)
    token = forms.CharField(required=False, strip=False)


class EnrolmentCodeForm(forms.Form):
    username = forms.CharField(required=False)
    remove_devices = FlagField()
