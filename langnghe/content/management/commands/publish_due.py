from django.core.management.base import BaseCommand

from langnghe.content.services import counters_flush, posts_publish_due


class Command(BaseCommand):
    help = "Đăng các bài đã hẹn giờ đến hạn và cập nhật lượt xem, lượt chia sẻ."

    def handle(self, *args, **options):
        published = posts_publish_due()
        flushed = counters_flush()
        self.stdout.write(f"Đã đăng {published} bài đến hạn; cập nhật {flushed} lượt đếm.")
