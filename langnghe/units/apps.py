from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "langnghe.units"
    label = "units"
    verbose_name = "Đơn vị"
