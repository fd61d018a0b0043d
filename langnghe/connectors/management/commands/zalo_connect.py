"""`langnghe zalo_connect`: connect a unit's Zalo OA from a script (secrets sealed at rest)."""

from django.core.management.base import BaseCommand, CommandError

from langnghe.connectors.services import zalo_connect
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit


class Command(BaseCommand):
    help = "Kết nối Zalo OA cho một đơn vị."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã đơn vị, ví dụ BG-X07201")
        parser.add_argument("--app-id", required=True)
        parser.add_argument("--oa-id", required=True)
        parser.add_argument("--secret-key", required=True, help="OA secret key (chữ ký webhook)")
        parser.add_argument("--app-secret", default="", help="app secret (mặc định = secret-key)")
        parser.add_argument("--access-token", required=True)
        parser.add_argument("--refresh-token", required=True)
        parser.add_argument(
            "--api-base",
            default="",
            help="trình giả lập, ví dụ http://127.0.0.1:8899; chỉ khi LANGNGHE_ZALO_SANDBOX=1",
        )

    def handle(self, *args, **o):
        unit = Unit.objects.filter(code__iexact=o["unit"].strip()).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã “{o['unit']}”.")
        try:
            connection = zalo_connect(
                unit=unit,
                app_id=o["app_id"],
                oa_id=o["oa_id"],
                secret_key=o["secret_key"],
                app_secret=o["app_secret"],
                access_token=o["access_token"],
                refresh_token=o["refresh_token"],
                api_base=o["api_base"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Đã kết nối Zalo OA {connection.oa_id} cho {unit.name}. "
            f"Webhook: /webhooks/zalo/{unit.code}/"
        )
