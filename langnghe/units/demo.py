from .networks import load_demo_network


def load(stdout) -> None:
    result = load_demo_network()
    stdout.write(f"Đơn vị: {result.total} (mới {result.created}, cập nhật {result.updated})")
