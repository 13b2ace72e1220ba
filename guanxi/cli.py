"""The `guanxi` console script: Django's manage.py with Guanxi's own commands
(serve, demo, createadmin, ...) listed by `guanxi help`."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
