from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "langnghe.demo"
    label = "demo"
    verbose_name = "Dữ liệu demo"
