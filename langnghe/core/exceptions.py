"""Errors that domain code raises and every interface turns into a clear message."""


class ApplicationError(Exception):
    """A request that cannot be carried out as asked; the message is for a person (Vietnamese).

    The API answers it with HTTP ``status`` and ``{"detail": message, "code": code}``; pages
    show the message next to the form; commands print it and exit non-zero.
    """

    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        status: int | None = None,
        field: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        if status is not None:
            self.status = status

    def as_body(self) -> dict:
        """The API's JSON answer to it (``langnghe.api``'s handler, and the machine lane's
        survey handler, which answers before django-ninja)."""
        body = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class NotFound(ApplicationError):
    status = 404

    def __init__(self, message: str = "Không tìm thấy.", *, code: str = "not_found"):
        super().__init__(message, code=code)


class PermissionDenied(ApplicationError):
    status = 403

    def __init__(
        self,
        message: str = "Bạn không có quyền thực hiện thao tác này.",
        *,
        code: str = "forbidden",
    ):
        super().__init__(message, code=code)


def form_page_status(status: int) -> int:
    """The HTTP status of a form (a citizen's or an officer's) shown again with its error (as Django's FormView
    does): 200, the page is answered, not a failed request (a browser logs a 4xx page as a
    console error). Rate limits (429), too large (413) and refusals (403) keep theirs."""
    return 200 if status in (400, 404, 422) else status
