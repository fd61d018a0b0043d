"""Small pieces the pages' forms share (each app's ``forms.py`` parses its own POSTs).

Forms parse the shape of what a page sends (present, an integer, a date, a choice, not too
long); the rules of the domain stay in the services, which raise ``ApplicationError``."""

from django import forms

INVALID_INPUT = "Dữ liệu không hợp lệ."


class FlagField(forms.Field):
    """A yes/no sent as ``"1"`` (a checkbox or radio ``value="1"``): anything else is no.
    (``BooleanField`` would read ``"0"`` as yes.)"""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> bool:
        return value == "1"


class TextField(forms.CharField):
    """Free text passed on as typed (not stripped, optional): the service trims and checks it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)


class StringListField(forms.Field):
    """Every value sent under the name (``getlist``), empty ones dropped."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value if str(v).strip()]


class IntegerListField(StringListField):
    """Every value sent under the name, each an integer (else ``INVALID_INPUT``)."""

    def to_python(self, value) -> list[int]:
        try:
            return [int(v) for v in super().to_python(value)]
        except ValueError:
            raise forms.ValidationError(INVALID_INPUT, code="invalid") from None


def first_error(form: forms.Form, default: str = INVALID_INPUT) -> str:
    """The first error of an invalid form, as a person reads it (for a page that redirects
    and shows it as a message)."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return default
