#!/usr/bin/env python
"""Django's command-line utility for administrative tasks. DJANGO_SETTINGS_MODULE must be set
(`make run` and `make test` set it; there is no default)."""

import sys


def main() -> None:
    from settings.entry import require_settings_module

    require_settings_module()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
