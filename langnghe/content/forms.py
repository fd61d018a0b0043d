"""The forms of the posts console: they parse what the editor and the post's page POST; every
rule of publishing lives in the services."""

from django import forms

from langnghe.core.forms import StringListField, TextField

from .models import Post

BODY_TOO_LONG = "Nội dung quá dài."


class PostForm(forms.Form):
    """Parses the console form; every rule lives in the services."""

    kind = forms.ChoiceField(label="Loại", choices=Post.Kind.choices)
    title = forms.CharField(label="Tiêu đề", max_length=200)
    summary = forms.CharField(label="Tóm tắt", max_length=300, required=False)
    body = forms.CharField(
        label="Nội dung",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 16, "data-markdown-editor": "", "aria-describedby": "body-help"}
        ),
        help_text="Viết như soạn văn bản: để một dòng trống giữa hai đoạn. **In đậm**, *in "
        "nghiêng*, “- ” đầu dòng cho danh sách, [chữ](https://…) cho liên kết.",
    )
    image = forms.FileField(
        label="Chèn ảnh vào nội dung (JPEG/PNG/WebP/GIF, tối đa 5 MB)",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    image_alt = forms.CharField(label="Mô tả ảnh chèn", max_length=200, required=False)
    field = forms.ChoiceField(label="Lĩnh vực", choices=[("", "—"), *Post.Field.choices],
                              required=False)  # fmt: skip
    tags = forms.CharField(label="Thẻ (cách nhau bởi dấu phẩy)", required=False)
    cover = forms.FileField(label="Ảnh bìa (JPEG/PNG/WebP, tối đa 5 MB)", required=False)
    cover_alt = forms.CharField(label="Mô tả ảnh bìa", max_length=200, required=False)
    video_url = forms.CharField(label="Đường dẫn video", required=False)
    audience = forms.ChoiceField(label="Đăng tới", choices=Post.Audience.choices,
                                 widget=forms.RadioSelect, initial="none")  # fmt: skip
    audience_codes = forms.CharField(
        label="Thêm đơn vị cấp dưới (gõ tên, không cần dấu)", max_length=200, required=False
    )
    is_pinned = forms.BooleanField(label="Ghim thông báo lên đầu trang", required=False)


class PostActionForm(forms.Form):
    """The button pressed (save, preview, publish, schedule, archive, pin…) and what it needs:
    when to publish, whether to broadcast on Zalo, the units the picker chose."""

    action = forms.CharField(required=False)
    publish_at = forms.CharField(required=False)
    zalo_broadcast = forms.BooleanField(required=False)
    audience_unit = StringListField()

    def clean_action(self) -> str:
        return self.cleaned_data["action"] or "draft"


NO_BUTTON = {"action": "", "publish_at": "", "zalo_broadcast": False, "audience_unit": []}


class PreviewForm(forms.Form):
    body = TextField(max_length=200_000, error_messages={"max_length": BODY_TOO_LONG})


class ImageForm(forms.Form):
    """An image for a post's body (the editor's "Chèn ảnh" button) and its description."""

    image = forms.FileField(
        allow_empty_file=True, error_messages={"required": "Vui lòng chọn một tệp ảnh."}
    )
    alt = TextField()
