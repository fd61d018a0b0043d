from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The development tools: the load generator (``gen_load``) and the benchmark commands
    (``bench_insights``, ``bench_surveys``). Not part of the shipped package (only ``langnghe*``
    is packaged) and installed only when asked: ``LANGNGHE_DEVTOOLS=1``, bench/settings.py
    (``make bench``) and the tests."""

    name = "bench"
    label = "bench"
    verbose_name = "Công cụ phát triển (sinh dữ liệu tải, đo hiệu năng)"
