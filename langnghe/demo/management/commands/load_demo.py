from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from langnghe.demo import history as demo_history
from langnghe.discovery import demo_loaders


class Command(BaseCommand):
    help = (
        "Nạp mạng lưới demo (Công an tỉnh Bắc Giang 2021, 224 đơn vị) và dữ liệu mẫu. "
        "Chạy lại nhiều lần không tạo trùng. --reorganized: sau đó chuyển sang mạng lưới Bắc "
        "Ninh hiện hành (langnghe reorganize), giữ nguyên lịch sử."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--history",
            action="store_true",
            help="Nạp thêm 12 tháng hoạt động trước hôm nay (cố định theo hạt giống ngẫu nhiên)",
        )
        parser.add_argument(
            "--reorganized",
            action="store_true",
            help="Chuyển dữ liệu demo sang mạng lưới 2025 của tỉnh Bắc Ninh",
        )

    def handle(self, *args, reorganized=False, history=False, **options):
        for _app, load in demo_loaders():
            with transaction.atomic():
                load(self.stdout)
        if history:
            demo_history.history_load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu demo."))
        if reorganized:
            call_command("reorganize", "--province", "Bắc Ninh", stdout=self.stdout)
