"""`langnghe api_token`: make an API token for a staff member, list theirs, or revoke them."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from langnghe.accounts.models import User
from langnghe.accounts.services import api_token_create, api_token_revoke
from langnghe.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Tạo mã truy cập API mới cho một cán bộ (mã in ở dòng cuối, chỉ hiện một lần); "
        "--list: liệt kê; --revoke: thu hồi tất cả mã của cán bộ, hoặc một mã (--prefix)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", default="", help="Ghi chú, ví dụ tên ứng dụng dùng mã")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"số ngày hiệu lực (mặc định LANGNGHE_API_TOKEN_DAYS = "
            f"{settings.LANGNGHE_API_TOKEN_DAYS})",
        )
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--revoke", action="store_true", help="thu hồi mã của cán bộ")
        action.add_argument(
            "--list", dest="list_tokens", action="store_true", help="liệt kê mã của cán bộ"
        )
        parser.add_argument("--prefix", default="", help="với --revoke: chỉ mã có tiền tố này")

    def handle(self, *args, username, name, days, revoke, list_tokens, prefix, **options):
        if prefix and not revoke:
            raise CommandError("--prefix chỉ dùng cùng --revoke.")
        # Revoking and listing also reach a deactivated account: its tokens are what matters.
        users = User.objects.filter(username=username)
        user = (users if revoke or list_tokens else users.filter(is_active=True)).first()
        if user is None:
            raise CommandError(f"Không có cán bộ “{username}”.")
        try:
            if revoke:
                revoked = api_token_revoke(user=user, prefix=prefix)
                self.stdout.write(f"Đã thu hồi {len(revoked)} mã: {', '.join(revoked)}")
                return
            if list_tokens:
                self._list(user)
                return
            record, token = api_token_create(user=user, name=name, days=days)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        expires = timezone.localtime(record.expires_at).strftime("%H:%M %d/%m/%Y")
        self.stdout.write(f"Tiền tố {record.prefix}, hết hạn lúc {expires}.")
        self.stdout.write("Mã truy cập (chỉ hiện một lần, dùng: Authorization: Bearer <mã>):")
        self.stdout.write(token)

    def _list(self, user):
        now = timezone.now()
        for token in user.api_tokens.order_by("created_at"):
            if token.revoked_at:
                state = "đã thu hồi"
            elif token.expires_at is None or token.expires_at <= now:
                state = "hết hạn"
            else:
                state = "hiệu lực"
            expires = (
                timezone.localtime(token.expires_at).strftime("%d/%m/%Y")
                if token.expires_at
                else "—"
            )
            self.stdout.write(f"{token.prefix}  {state:<11} hết hạn {expires}  {token.name}")
