"""Issue #24: a photo or a document sent with a tip reaches the officer with nothing but what
it shows: no EXIF (GPS, camera), XMP, ICC profile or JPEG comment; no PDF /Author, /Info or
XMP; the original extension kept; the audit trail holds a keyed fingerprint, not the hash."""

import hashlib
import io

import pikepdf
import pytest
from PIL import Image, ImageCms

from langnghe.audit.models import AuditEntry
from langnghe.cases.models import Case, CaseAttachment

from .conftest import THO_XUONG

pytestmark = pytest.mark.django_db

PHONE = b"0912345678"
COMMENT = b"COMMENT-phone-0912345678"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'dc:creator="Nguyen Van XMP"/></rdf:RDF></x:xmpmeta>'
)


def _tipster_photo() -> bytes:
    """40×20 pixels stored sideways (EXIF orientation 6: show turned 90° clockwise), with GPS,
    a camera serial, a JPEG comment, an XMP packet and an ICC profile."""
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, 10, 20))  # a blue band on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "CameraMaker"  # Make
    exif[0xA431] = "SERIAL-0912345678"  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (21.0, 16.0, 30.0), 3: "E", 4: (106.0, 11.0, 45.0)}  # GPS
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=COMMENT, icc_profile=icc, xmp=XMP)
    data = out.getvalue()
    sent = Image.open(io.BytesIO(data))
    assert {"exif", "comment", "icc_profile", "xmp"} <= set(sent.info)  # it really carries them
    return data


def _author_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = ["Nguyen Van XMP"]
    pdf.docinfo["/Author"] = "Nguyen Van Author 0912345678"  # after: the XMP sync sets it too
    pdf.docinfo["/Creator"] = "Phone scanner app"
    pdf.docinfo["/Producer"] = "ProducerLib 1.0"
    pdf.pages[0].obj["/Metadata"] = pdf.make_stream(XMP)
    out = io.BytesIO()
    pdf.save(out)
    data = out.getvalue()
    assert b"Nguyen Van Author" in data and b"Nguyen Van XMP" in data
    return data


def _assert_photo_is_clean(data: bytes) -> None:
    assert PHONE not in data and b"CameraMaker" not in data and b"Nguyen Van XMP" not in data
    assert b"Exif" not in data and b"ICC_PROFILE" not in data
    image = Image.open(io.BytesIO(data))
    assert not (set(image.info) & {"exif", "comment", "icc_profile", "xmp"}), image.info
    assert not image.getexif()
    assert image.size == (20, 40)  # turned upright before the orientation tag was dropped
    assert image.getpixel((10, 2))[2] > 150  # the blue band is now at the top


def _assert_pdf_is_clean(data: bytes) -> None:
    assert b"Nguyen Van" not in data and b"ProducerLib" not in data and PHONE not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert "/Metadata" not in pdf.pages[0].obj
        assert len(pdf.pages) == 1


def _download(client, case: Case) -> tuple[bytes, str]:
    attachment = CaseAttachment.objects.get(case=case)
    response = client.get(f"/staff/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    return response.content, response["Content-Disposition"]


def test_a_photo_sent_with_the_public_form_reaches_the_officer_without_metadata(client, handler):
    upload = io.BytesIO(_tipster_photo())
    upload.name = "Ảnh hiện trường.JPEG"
    response = client.post(
        f"/phan-anh/?don-vi={THO_XUONG}",
        {
            "category": "crime_report",
            "description": "Có người buôn bán ma túy ở ngõ 12, ảnh gửi kèm.",
            "anonymous": "1",
            "files": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    case = Case.objects.get()
    client.force_login(handler)
    data, disposition = _download(client, case)
    _assert_photo_is_clean(data)
    # The original extension, lower case; nothing else of the original name.
    assert (
        disposition
        == f'attachment; filename="{case.tracking_code}-{case.attachments.get().pk}.jpeg"'
    )
    assert CaseAttachment.objects.get(case=case).storage_name.endswith(".jpeg")


def test_a_photo_and_a_pdf_sent_through_the_api_reach_the_officer_without_metadata(
    client, post_case, handler, api_client
):
    body = post_case(category="crime_report", anonymous=True, reporter=None).json()
    case = Case.objects.get(pk=body["id"])
    officer = api_client(handler)
    for name, data, check in (
        ("IMG_0001.jpg", _tipster_photo(), _assert_photo_is_clean),
        ("Don to giac.PDF", _author_pdf(), _assert_pdf_is_clean),
    ):
        upload = io.BytesIO(data)
        upload.name = name
        sent = client.post(
            "/api/v1/cases/track/attachments", {"receipt": body["receipt"], "file": upload}
        )
        assert sent.status_code == 201, sent.content
        attachment = case.attachments.order_by("-id").first()
        response = officer.get(f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}")
        assert response.status_code == 200
        check(response.content)
        extension = name.rsplit(".", 1)[1].lower()
        assert response["Content-Disposition"].endswith(f'.{extension}"')


def test_the_audit_trail_keeps_a_keyed_fingerprint_not_the_files_hash(client, post_case, handler):
    body = post_case(category="crime_report", anonymous=True, reporter=None).json()
    upload = io.BytesIO(_tipster_photo())
    upload.name = "a.jpg"
    client.post("/api/v1/cases/track/attachments", {"receipt": body["receipt"], "file": upload})
    case = Case.objects.get(pk=body["id"])
    client.force_login(handler)
    stored, _ = _download(client, case)
    entry = AuditEntry.objects.filter(action="case.attachment_add").get()
    plain = hashlib.sha256(stored).hexdigest()
    assert "sha256" not in entry.data
    assert plain[:16] not in str(entry.data) and plain not in str(entry.data)
    from langnghe.cases.services import attachment_fingerprint

    assert entry.data["fingerprint"] == attachment_fingerprint(stored)
    assert len(entry.data["fingerprint"]) == 16


def test_a_png_loses_its_profile_and_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    from langnghe.cases.files import file_clean

    info = PngInfo()
    info.add_text("Author", "Nguyen Van PNG 0912345678")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (1, 2, 3, 128)).save(out, "PNG", pnginfo=info, icc_profile=icc)
    clean = file_clean(out.getvalue(), "screenshot.png")
    assert PHONE not in clean.content and b"iCCP" not in clean.content
    assert b"tEXt" not in clean.content and b"iTXt" not in clean.content
    assert Image.open(io.BytesIO(clean.content)).getpixel((0, 0)) == (1, 2, 3, 128)


def test_a_pdf_with_a_password_or_broken_is_refused_with_a_reason():
    from langnghe.cases.files import file_clean
    from langnghe.core.exceptions import ApplicationError

    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(ApplicationError) as refused:
        file_clean(out.getvalue(), "a.pdf")
    assert refused.value.code == "encrypted_pdf" and "mật khẩu" in refused.value.message
    with pytest.raises(ApplicationError) as broken:
        file_clean(b"%PDF-1.4 nothing else", "a.pdf")
    assert 400 <= broken.value.status < 500


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("x.JPEG", "jpeg"),
        ("x.jpg", "jpg"),
        ("x.png", "jpg"),
        ("x.exe", "jpg"),
        ("", "jpg"),
        ("../../etc/passwd", "jpg"),
        ("x.jpeg ", "jpeg"),
    ],
)
def test_the_extension_comes_from_an_allow_list_matching_the_content(filename, expected):
    from langnghe.cases.files import file_clean

    assert file_clean(_tipster_photo(), filename).extension == expected


def test_a_cover_image_loses_its_metadata(settings, tmp_path):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from langnghe.content.images import cover_store

    variants = cover_store(SimpleUploadedFile("cover.jpg", _tipster_photo(), "image/jpeg"))
    for name in variants.values():
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
        assert PHONE not in data and b"Exif" not in data and b"ICC_PROFILE" not in data
        assert not set(Image.open(io.BytesIO(data)).info) & {"exif", "comment", "icc_profile"}
