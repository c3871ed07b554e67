from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Benchmark commands (docs/benchmarks.md); installed by the development settings only."""

    name = "benchmarks"
    verbose_name = "基准测试"
