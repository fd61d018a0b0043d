from django.core.management.base import BaseCommand
from django.db import transaction

from langnghe.discovery import demo_loaders


class Command(BaseCommand):
    help = (
        "Nạp mạng lưới demo (Công an tỉnh Bắc Giang 2021, 224 đơn vị) và dữ liệu mẫu. "
        "Chạy lại nhiều lần không tạo trùng."
    )

    def handle(self, *args, **options):
        for _app, load in demo_loaders():
            with transaction.atomic():
                load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu demo."))
