"""`langnghe zalo_sim`: run the Zalo OA simulator (offline demo, manual testing)."""

from django.core.management.base import BaseCommand, CommandError

from langnghe.connectors.simulator import ZaloSimulator


class Command(BaseCommand):
    help = "Chạy máy giả lập Zalo OA Open API (để chạy thử không cần mạng)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8899)
        parser.add_argument("--app-id", required=True)
        parser.add_argument("--secret-key", required=True, help="OA secret key (ký webhook)")
        parser.add_argument("--app-secret", default="", help="app secret (mặc định = secret-key)")
        parser.add_argument("--access-token", required=True)
        parser.add_argument("--refresh-token", default="")
        parser.add_argument("--oa-id", default="sim-oa")
        parser.add_argument(
            "--webhook", default="", help="ví dụ http://127.0.0.1:8000/webhooks/zalo/BG-X07201/"
        )

    def handle(self, *args, **o):
        if not 0 <= o["port"] <= 65535:
            raise CommandError("Cổng phải trong khoảng 0–65535.")
        try:
            sim = ZaloSimulator(
                app_id=o["app_id"],
                secret_key=o["secret_key"],
                app_secret=o["app_secret"],
                access_token=o["access_token"],
                refresh_token=o["refresh_token"],
                oa_id=o["oa_id"],
                webhook=o["webhook"],
                host=o["host"],
                port=o["port"],
                auto_receipts=bool(o["webhook"]),
            )
        except OSError as exc:
            raise CommandError(f"Không mở được cổng {o['port']}: {exc}") from exc
        self.stdout.write(
            f"Giả lập Zalo tại {sim.url}/ (refresh token: {sim.refresh_token}); "
            f"webhook: {o['webhook'] or '(không có)'}. Ctrl+C để dừng."
        )
        try:
            sim.serve_forever()
        except KeyboardInterrupt:
            pass
