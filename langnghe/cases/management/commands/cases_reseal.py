from django.core.management.base import BaseCommand

from langnghe.cases.services import cases_reseal


class Command(BaseCommand):
    help = (
        "Mã hóa lại dữ liệu vụ việc bằng khóa hiện hành (khóa đầu tiên trong "
        "LANGNGHE_DATA_KEYS); sau đó có thể bỏ khóa cũ."
    )

    def handle(self, *args, **options):
        count = cases_reseal()
        self.stdout.write(f"Đã mã hóa lại {count} vụ việc.")
