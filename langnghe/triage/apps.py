from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "langnghe.triage"
    label = "triage"
    verbose_name = "Phân loại tin nhắn"
