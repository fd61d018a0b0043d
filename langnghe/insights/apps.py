from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "langnghe.insights"
    label = "insights"
    verbose_name = "Tổng hợp, báo cáo"
    default_auto_field = "django.db.models.BigAutoField"
