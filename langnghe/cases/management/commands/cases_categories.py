from django.core.management.base import BaseCommand
from django.db import transaction

from langnghe.audit.services import audit_record
from langnghe.cases.models import Category
from langnghe.cases.policies import categories_apply


class Command(BaseCommand):
    help = "Cập nhật các loại vụ việc và chính sách thời hạn mặc định (theo quy định pháp luật)."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = categories_apply(Category)
            audit_record(actor=None, action="case.categories_apply", data={"count": count})
        self.stdout.write(f"Đã cập nhật {count} loại vụ việc.")
