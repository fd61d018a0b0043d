"""The shared form fields: a "1" flag, lists of values, the first error as a message."""

from django import forms
from django.http import QueryDict

from langnghe.core.forms import (
    INVALID_INPUT,
    FlagField,
    IntegerListField,
    StringListField,
    TextField,
    first_error,
)


class _Form(forms.Form):
    flag = FlagField()
    ids = IntegerListField()
    codes = StringListField()
    text = TextField(max_length=5)


def _clean(query: str):
    form = _Form(QueryDict(query))
    return form, form.is_valid()


def test_a_flag_is_yes_only_for_1():
    assert _clean("flag=1")[0].cleaned_data["flag"] is True
    for query in ("flag=0", "flag=on", "flag=", ""):
        assert _clean(query)[0].cleaned_data["flag"] is False


def test_lists_take_every_value_and_drop_empty_ones():
    form, valid = _clean("ids=3&ids=&ids=7&codes=A&codes=%20&codes=B")
    assert valid and form.cleaned_data["ids"] == [3, 7] and form.cleaned_data["codes"] == ["A", "B"]


def test_a_value_that_is_not_an_integer_is_a_vietnamese_error():
    form, valid = _clean("ids=3&ids=abc")
    assert not valid and first_error(form) == INVALID_INPUT


def test_text_is_kept_as_typed_and_its_length_checked_in_vietnamese():
    form, valid = _clean("text=%20ab%20")
    assert valid and form.cleaned_data["text"] == " ab "
    form, valid = _clean("text=abcdefgh")
    assert not valid and "5" in first_error(form) and "tối đa" in first_error(form)
