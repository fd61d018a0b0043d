"""Every write of the surveys app: one function per state change (STYLE.md §2), by entity —
``templates`` (templates and their assignment to units), ``responses`` (a citizen's
submission and its flag), ``storage`` (the abuse checks and the write of a response),
``exports``. The counters' fold (``surveys.counters``) and the built-in templates
(``surveys.builtin``) live below the selectors, which fold before reading and make the default
template on first use; they are named here too.

The names are re-exported so ``from langnghe.surveys.services import name`` keeps working.
"""

from langnghe.core.exceptions import ApplicationError

from ..builtin import builtin_templates_ensure
from ..counters import (
    FOLD_BATCH,
    FOLD_LOCK,
    SETTLE_WARN,
    _counter_cells,
    _counters_add,
    _counters_write,
    counters_fold,
    counters_settle,
)
from .errors import SurveyValidationError
from .exports import export_progress_set, export_request
from .responses import (
    DOSSIER_CODE,
    MAX_COMMENT,
    MAX_TEXT_ANSWER,
    _clean_answers,
    _questions,
    _response_build,
    _stored,
    response_flag_set,
    response_submit,
)
from .storage import (
    DEVICE_BURST,
    DEVICE_LIMIT,
    IP_BURST,
    IP_LIMIT,
    UNIT_BURST,
    UNIT_BURST_WINDOW,
    WINDOW,
    _abuse_verdict,
    _checked_sql,
    _insert_queued,
    _ip_limit,
    _quiet_below,
    _recent_counts_sql,
    _response_fields,
    _store_checked,
)
from .templates import (
    survey_assignment_move,
    template_assign,
    template_create,
    template_revise,
)

__all__ = [
    "DEVICE_BURST",
    "DEVICE_LIMIT",
    "DOSSIER_CODE",
    "FOLD_BATCH",
    "FOLD_LOCK",
    "IP_BURST",
    "IP_LIMIT",
    "MAX_COMMENT",
    "MAX_TEXT_ANSWER",
    "SETTLE_WARN",
    "UNIT_BURST",
    "UNIT_BURST_WINDOW",
    "WINDOW",
    "ApplicationError",
    "SurveyValidationError",
    "_abuse_verdict",
    "_checked_sql",
    "_clean_answers",
    "_counter_cells",
    "_counters_add",
    "_counters_write",
    "_insert_queued",
    "_ip_limit",
    "_questions",
    "_quiet_below",
    "_recent_counts_sql",
    "_response_build",
    "_response_fields",
    "_store_checked",
    "_stored",
    "builtin_templates_ensure",
    "counters_fold",
    "counters_settle",
    "export_progress_set",
    "export_request",
    "response_flag_set",
    "response_submit",
    "survey_assignment_move",
    "template_assign",
    "template_create",
    "template_revise",
]
