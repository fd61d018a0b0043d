from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """Channels to citizens (DESIGN.md's `channels` app). Named `connectors` because the
    top-level package `channels` is Django Channels."""

    name = "langnghe.connectors"
    label = "connectors"
    verbose_name = "Kênh kết nối (Zalo OA)"
