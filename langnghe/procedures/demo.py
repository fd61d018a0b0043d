from .services import procedure_catalogue_load_bundled


def load(stdout) -> None:
    result = procedure_catalogue_load_bundled()
    stdout.write(
        f"Thủ tục hành chính: {result.total} (mới {result.created}, cập nhật {result.updated})"
    )
