"""The forms of the surveys pages: what each POST carries, read once (STYLE.md §6: no business
logic here). The checks that decide — a citizen's answers, a template's questions, the scope —
are the services' and selectors', whose Vietnamese messages the pages show as before; a form
only turns the posted fields into values. The field names are the templates' own.
"""

from django import forms

from .models import QuestionType, SurveyTemplate


class RawField(forms.Field):
    """A posted value handed on as it came (the service checks and strips it); ``empty`` when
    the field was not posted. No validators: the service's message is the one shown."""

    def __init__(self, *, empty=None, **kwargs):
        self.empty = empty
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return self.empty if value is None else value


class ValuesField(forms.Field):
    """Every value posted under one name (the ticks of a multiple-choice question)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return list(value or [])


class OneFlagField(forms.Field):
    """A checkbox or hidden flag: on when it is "1", whatever else is posted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return value == "1"


class SurveyAnswerForm(forms.Form):
    """The public form's POST: one field per question (``q_<key>``), the comment, the dossier
    code, the page's ``client_id`` and template version, the QR key ``k`` and the source
    ``src``. ``response_submit`` checks all of it."""

    k = RawField()
    src = RawField()
    client_id = RawField(empty="")
    comment = RawField(empty="")
    dossier_code = RawField(empty="")
    template = RawField(empty="")

    def __init__(self, data, *, template: SurveyTemplate):
        super().__init__(data)
        self.questions = list(template.questions.all())
        for question in self.questions:
            multiple = question.type == QuestionType.MULTIPLE
            self.fields[f"q_{question.key}"] = ValuesField() if multiple else RawField(empty="")

    def clean_template(self) -> int | None:
        """The template version the page was opened on; anything else: the current one."""
        try:
            return int(self.cleaned_data["template"] or 0) or None
        except ValueError:
            return None

    def answers(self) -> dict:
        return {q.key: self.cleaned_data[f"q_{q.key}"] for q in self.questions}


class ConsoleScopeForm(forms.Form):
    """The console's unit (drill-down), date range and "include flagged" filters."""

    unit = RawField()
    from_ = RawField()
    to = RawField()
    flagged = OneFlagField()

    def __init__(self, data):
        super().__init__(data)
        # "from" is a Python keyword: the field is posted as "from".
        self.fields["from"] = self.fields.pop("from_")


class ExportForm(ConsoleScopeForm):
    """The console's export: the scope, the format and the comment filters."""

    format = RawField(empty="xlsx")
    negative = OneFlagField()
    q = RawField(empty="")

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()[:100]


class TemplateForm(forms.Form):
    """The templates page: ``action=assign`` with a ``template`` code (empty: the parent's),
    or a new template's ``name`` and ``questions`` (one per line, ``parse_question_lines``)."""

    action = RawField(empty="")
    template = RawField()
    name = RawField(empty="")
    questions = RawField(empty="")

    def clean_template(self) -> str | None:
        return self.cleaned_data["template"] or None


class FlagForm(forms.Form):
    """The flagged page: a response and whether it stays flagged."""

    response = forms.IntegerField(
        error_messages={"required": "Không có phiếu này.", "invalid": "Không có phiếu này."}
    )
    flagged = OneFlagField()
