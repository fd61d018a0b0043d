from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "langnghe.surveys"
    label = "surveys"
    verbose_name = "Khảo sát hài lòng"
