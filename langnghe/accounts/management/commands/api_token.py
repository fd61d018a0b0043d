from django.core.management.base import BaseCommand, CommandError

from langnghe.accounts.models import User
from langnghe.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Tạo mã truy cập API mới cho một cán bộ; mã in ở dòng cuối, chỉ hiện một lần."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--name", default="", help="Ghi chú, ví dụ tên ứng dụng dùng mã")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có cán bộ “{username}”.")
        _record, token = api_token_create(user=user, name=name)
        self.stdout.write("Mã truy cập (chỉ hiện một lần, dùng: Authorization: Bearer <mã>):")
        self.stdout.write(token)
