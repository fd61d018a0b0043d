"""`langnghe enrolment_code --username U`: a one-time code to enrol the second factor, for the
first administrator (nobody in the console can issue it yet) or an operator's own judgement."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from langnghe.accounts.models import User
from langnghe.accounts.second_factor import enrolment_code_issue
from langnghe.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Cấp mã kích hoạt xác thực hai lớp (dùng một lần, chỉ hiện một lần) cho một cán bộ; "
        "mã in ở dòng cuối."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help=f"thời hạn (mặc định LANGNGHE_ENROLMENT_CODE_HOURS = "
            f"{settings.LANGNGHE_ENROLMENT_CODE_HOURS})",
        )

    def handle(self, *args, username, hours, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có cán bộ “{username}”.")
        try:
            code = enrolment_code_issue(user=user, hours=hours)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        hours = hours or settings.LANGNGHE_ENROLMENT_CODE_HOURS
        self.stdout.write(
            f"Mã kích hoạt cho {user.username} (dùng một lần, hết hạn sau {hours} giờ; nhập ở "
            "/staff/2fa/ sau khi đăng nhập):"
        )
        self.stdout.write(code)
