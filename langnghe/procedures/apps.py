from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "langnghe.procedures"
    label = "procedures"
    verbose_name = "Thủ tục hành chính"
