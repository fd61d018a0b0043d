from django.core.management.base import BaseCommand

from langnghe.content.services import counters_flush


class Command(BaseCommand):
    help = "Cộng dồn lượt xem, lượt chia sẻ đang chờ vào số liệu của bài viết."

    def handle(self, *args, **options):
        self.stdout.write(f"Đã cập nhật {counters_flush()} lượt đếm.")
