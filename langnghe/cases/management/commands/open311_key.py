from django.core.management.base import BaseCommand, CommandError

from langnghe.cases.services import open311_client_create
from langnghe.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Tạo api_key Open311 cho một ứng dụng; khóa in ở dòng cuối, chỉ hiện một lần."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Tên ứng dụng dùng khóa")

    def handle(self, *args, name, **options):
        try:
            client, key = open311_client_create(name=name)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Ứng dụng: {client.name}. Khóa chỉ hiện một lần, hãy lưu lại:")
        self.stdout.write(key)
