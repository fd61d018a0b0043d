"""The `langnghe` command line: Django's management commands under the project's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "langnghe.settings.base")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "langnghe"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
