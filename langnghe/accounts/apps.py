from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "langnghe.accounts"
    label = "accounts"
    verbose_name = "Cán bộ"
