"""Files of a case: checked by content, sealed, stored; opened only by a handler of the unit."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.crypto import salted_hmac

from langnghe.accounts.selectors import can_see_unit, has_role
from langnghe.audit.services import audit_record
from langnghe.core.exceptions import ApplicationError, NotFound

from .. import crypto
from ..files import THUMBNAIL_TYPES, file_clean, thumbnail_make
from ..models import Case, CaseAttachment, EntryKind
from ._common import HANDLER_ROLES, _entry, _require_handler


def case_attachment_add(
    *, case: Case, data: bytes, filename: str = "", by=None, from_reporter: bool = False
) -> CaseAttachment:
    """Check by content, clean, seal and store a file. ``by`` None means the reporter;
    ``filename`` (as sent) gives only the extension (``files.extension_for``)."""
    if by is not None:
        _require_handler(case, by)
    elif not case.is_open:
        raise ApplicationError(
            "Vụ việc đã kết thúc, không thể gửi thêm tệp.", code="case_closed", status=409
        )
    with transaction.atomic():
        return _attachment_store(case, data, filename=filename, by=by, from_reporter=from_reporter)


def attachment_fingerprint(content: bytes) -> str:
    """What the audit trail keeps of a file: a keyed, truncated HMAC (SECRET_KEY, 64 bits).
    It tells two files apart within this installation; unlike a plain SHA-256 it does not let
    whoever holds a copy of a photo prove from the audit log that it was sent to the police."""
    return salted_hmac("langnghe.cases.attachment", content, algorithm="sha256").hexdigest()[:16]


def _attachment_store(
    case: Case, data: bytes, *, filename: str = "", by, from_reporter: bool
) -> CaseAttachment:
    clean = file_clean(data, filename)
    name = f"cases/{uuid.uuid4().hex}.{clean.extension}"
    entry = _entry(
        case,
        kind=EntryKind.ATTACHMENT,
        actor=by,
        visible=from_reporter,
        from_reporter=from_reporter,
        data={"content_type": clean.content_type, "size": len(clean.content)},
    )
    sealed = crypto.seal_bytes(clean.content, context=case.sealing_context(name))
    stored = default_storage.save(name, ContentFile(sealed))
    attachment = CaseAttachment.objects.create(
        case=case,
        entry=entry,
        storage_name=stored,
        thumbnail_name=_thumbnail_store(case, clean.content, stored)
        if clean.content_type in THUMBNAIL_TYPES
        else "",
        content_type=clean.content_type,
        size=len(clean.content),
        from_reporter=from_reporter,
        uploaded_by=by,
    )
    audit_record(
        actor=by,
        action="case.attachment_add",
        target=case,
        unit=case.unit,
        data={
            "content_type": clean.content_type,
            "size": len(clean.content),
            "fingerprint": attachment_fingerprint(clean.content),
        },
    )
    return attachment


def _thumbnail_store(case: Case, content: bytes, storage_name: str) -> str:
    """Seal and store the thumbnail of a stored image; its name beside the file's."""
    name = storage_name.rsplit(".", 1)[0] + ".thumb.jpg"
    sealed = crypto.seal_bytes(thumbnail_make(content), context=case.sealing_context(name))
    return default_storage.save(name, ContentFile(sealed))


def _attachment_for_handler(case: Case, by, attachment_id: int) -> CaseAttachment:
    """The attachment, for a handler of the case's unit; NotFound otherwise (nothing leaks:
    not whether the file exists, nor that the user lacks the role)."""
    if not (can_see_unit(by, case.unit) and has_role(by, case.unit, HANDLER_ROLES)):
        raise NotFound("Không tìm thấy tệp.", code="attachment_not_found")
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("Không tìm thấy tệp.", code="attachment_not_found")
    return attachment


def _unsealed(case: Case, name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return crypto.unseal_bytes(handle.read(), context=case.sealing_context(name))


def case_attachment_open(*, case: Case, by, attachment_id: int) -> tuple[CaseAttachment, bytes]:
    """A handler opens a file of the case: the attachment and its decrypted bytes. Logged like
    every opening of a tip's content (NĐ 13/2023; Luật 91/2025)."""
    attachment = _attachment_for_handler(case, by, attachment_id)
    data = _unsealed(case, attachment.storage_name)
    with transaction.atomic():
        audit_record(
            actor=by,
            action="case.attachment_open",
            target=case,
            unit=case.unit,
            data={"attachment": attachment.pk, "content_type": attachment.content_type},
        )
    return attachment, data


def case_attachment_thumbnail(*, case: Case, by, attachment_id: int) -> bytes:
    """The JPEG thumbnail of an image attachment, for a handler (the same check as the file).
    Made on first view for an image stored before thumbnails existed. Not logged one by one:
    the case page that shows them logs the opening (``case_content_open``)."""
    attachment = _attachment_for_handler(case, by, attachment_id)
    if attachment.content_type not in THUMBNAIL_TYPES:
        raise NotFound("Tệp này không có ảnh thu nhỏ.", code="thumbnail_not_found")
    if attachment.thumbnail_name:
        return _unsealed(case, attachment.thumbnail_name)
    content = _unsealed(case, attachment.storage_name)
    name = _thumbnail_store(case, content, attachment.storage_name)
    claimed = CaseAttachment.objects.filter(pk=attachment.pk, thumbnail_name="").update(
        thumbnail_name=name
    )
    if not claimed:  # made at the same time by another request: keep theirs
        default_storage.delete(name)
        attachment.refresh_from_db(fields=["thumbnail_name"])
        return _unsealed(case, attachment.thumbnail_name)
    return _unsealed(case, name)
