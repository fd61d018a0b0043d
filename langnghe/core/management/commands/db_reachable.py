import environ
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Thoát với mã 0 nếu kết nối được tới cơ sở dữ liệu ở URL đã cho (dùng cho make test)."

    def add_arguments(self, parser):
        parser.add_argument("url")

    def handle(self, *args, url, **options):
        config = environ.Env.db_url_config(url)
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("Chỉ kiểm tra PostgreSQL.")
        import psycopg

        try:
            psycopg.connect(
                host=config.get("HOST") or None,
                port=config.get("PORT") or None,
                user=config.get("USER") or None,
                password=config.get("PASSWORD") or None,
                dbname=config.get("NAME") or "postgres",
                connect_timeout=3,
            ).close()
        except psycopg.Error as exc:
            raise CommandError(f"Không kết nối được: {exc}") from exc
