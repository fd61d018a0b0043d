from django.core.management.base import BaseCommand

from langnghe.cases.retention import retention_run


class Command(BaseCommand):
    help = (
        "Thời hạn lưu trữ vụ việc: báo trước cho cán bộ thụ lý, rồi xóa nội dung niêm phong và "
        "tệp của vụ việc đã kết thúc quá thời hạn (giữ số liệu thống kê)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="chỉ liệt kê, không báo và không xóa"
        )

    def handle(self, *args, dry_run=False, **options):
        report = retention_run(dry_run=dry_run)
        prefix = "[thử] " if dry_run else ""
        self.stdout.write(f"{prefix}Báo trước sắp xóa: {len(report.warned)} vụ việc.")
        for code in report.warned:
            self.stdout.write(f"  báo trước: {code}")
        self.stdout.write(f"{prefix}Đã xóa nội dung: {len(report.purged)} vụ việc.")
        for code in report.purged:
            self.stdout.write(f"  xóa nội dung: {code}")
        if not dry_run:
            self.stdout.write(f"Tệp đã xóa: {report.files_deleted}.")
