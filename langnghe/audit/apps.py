from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "langnghe.audit"
    label = "audit"
    verbose_name = "Nhật ký"
