from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from langnghe.accounts.models import Role
from langnghe.accounts.second_factor import confirmed_device, enrolment_code_issue
from langnghe.accounts.services import staff_create
from langnghe.core.exceptions import ApplicationError
from langnghe.units.models import Unit


class Command(BaseCommand):
    help = "Tạo tài khoản cán bộ và phân công vào một đơn vị với một vai trò."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--unit", required=True, help="Mã đơn vị, ví dụ BG-X07201")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", required=True)
        parser.add_argument("--full-name", default="")

    def handle(self, *args, username, unit, role, password, full_name, **options):
        unit_obj = Unit.objects.filter(code__iexact=unit.strip()).first()
        if unit_obj is None:
            raise CommandError(f"Không có đơn vị mã “{unit}”.")
        try:
            user = staff_create(
                username=username, password=password, unit=unit_obj, role=role, full_name=full_name
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Cán bộ {user.username}: {Role(role).label} tại {unit_obj.name} ({unit_obj.code})."
            )
        )
        if confirmed_device(user) is None:
            # The first administrator has nobody to ask for one in the console.
            code = enrolment_code_issue(user=user)
            self.stdout.write(
                f"Mã kích hoạt xác thực hai lớp (dùng một lần, hết hạn sau "
                f"{settings.LANGNGHE_ENROLMENT_CODE_HOURS} giờ; nhập ở /staff/2fa/):"
            )
            self.stdout.write(code)
