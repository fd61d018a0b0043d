"""The errors of the surveys services."""

from langnghe.core.exceptions import ApplicationError


class SurveyValidationError(ApplicationError):
    """Several fields wrong at once: ``errors`` maps a field to its Vietnamese message."""

    def __init__(self, errors: dict[str, str]):
        first_field, first = next(iter(errors.items()))
        summary = first if len(errors) == 1 else f"{first} (và {len(errors) - 1} lỗi khác)"
        super().__init__(summary, code="invalid_answers", status=400, field=first_field)
        self.errors = errors
