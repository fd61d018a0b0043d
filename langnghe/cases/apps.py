from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "langnghe.cases"
    label = "cases"
    verbose_name = "Vụ việc, tin báo, phản ánh"
