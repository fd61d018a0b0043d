"""The address a citizen types to find the unit serving it (the home page's box, the chat's
"find my unit" page). Neither stores nor logs it."""

from django import forms


class AddressForm(forms.Form):
    address = forms.CharField(required=False)
