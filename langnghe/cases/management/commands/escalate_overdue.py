from django.core.management.base import BaseCommand

from langnghe.cases.services import cases_escalate_overdue


class Command(BaseCommand):
    help = (
        "Báo cáo các vụ việc quá hạn lên chỉ huy đơn vị cấp trên (mỗi bước quá hạn một lần; "
        "chạy định kỳ, ví dụ 5 phút một lần)."
    )

    def handle(self, *args, **options):
        count = cases_escalate_overdue()
        self.stdout.write(f"Đã báo cáo {count} bước quá hạn lên cấp trên.")
