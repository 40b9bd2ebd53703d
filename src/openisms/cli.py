"""The ``openisms`` console command.

Friendly names map onto Django management commands (``load-catalogs`` -> ``load_catalogs``);
anything else is passed through to Django, so ``openisms shell`` or ``openisms
showmigrations`` work too. ``openisms migrate`` also loads the shipped catalogues.
"""

from __future__ import annotations

import os
import sys

# Our own commands run through call_command, so errors become a message and exit status 1
# (and tests can run them in-process); anything else goes to Django's own command line.
OWN = {
    "load_catalogs",
    "demo",
    "user",
    "token",
    "audit",
    "catalog",
    "mapping",
    "serve",
    "import",
    "export",
    "risk",
    "soa",
    "audit_pack",
    "reminders",
    "coverage",
    "framework",
    "control",
    "oscal",
    "backup",
    "restore",
}
ALIASES = {
    "worker": ["db_worker", "--queue-name", "*"],
    "load-catalogs": ["load_catalogs"],
    "audit-pack": ["audit_pack"],
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openisms.settings")
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    import django
    from django.core.management import CommandError, call_command, execute_from_command_line

    django.setup()
    name, rest = args[0], args[1:]
    if name == "migrate":
        try:
            call_command("migrate", *rest)
            call_command("load_catalogs")
        except Exception as exc:  # noqa: BLE001 - report any failure as a CLI error
            print(f"openisms migrate: {exc}", file=sys.stderr)
            return 1
        return 0
    if name == "worker":
        _schedule_reminders()
    command = ALIASES.get(name, [name.replace("-", "_")])
    if command[0] in OWN:
        try:
            call_command(*command, *rest)
        except CommandError as exc:
            print(f"openisms {name}: {exc}", file=sys.stderr)
            return 1
        except SystemExit as exc:  # argparse: --help or a usage error
            return exc.code if isinstance(exc.code, int) else 1
        return 0
    try:
        execute_from_command_line(["openisms", *command, *rest])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def _schedule_reminders() -> None:
    """A starting worker makes sure the daily reminder run is queued (once, never twice)."""
    from openisms.work.tasks import ensure_scheduled

    try:
        when = ensure_scheduled()
    except Exception as exc:  # noqa: BLE001 - e.g. not migrated yet; the worker still starts
        print(f"openisms worker: reminders not scheduled: {exc}", file=sys.stderr)
        return
    if when is not None:
        print(f"openisms worker: reminder e-mails scheduled for {when:%Y-%m-%d %H:%M} UTC")


USAGE = """usage: openisms COMMAND [options]

Commands:
  serve                      serve the web app and API (gunicorn) and a background worker
  worker                     run the background task worker (and the daily reminders)
  migrate                    apply database migrations and load the shipped catalogues
  load-catalogs [--force]    load or upgrade the framework catalogues
  demo                       create the demo organisation and print its admin login once
  user create --email E --password-stdin [--superuser] [--org SLUG --role ROLE]
  token create --email E [--name N] [--expires-days D] [--scope read|write] [--org SLUG]
                                                        print a new API token
  audit verify [--org SLUG]  check the audit trail's hash chains
  catalog export FRAMEWORK --format json|csv [-o FILE]
  mapping list                                        the loaded mapping sets and their provenance
  mapping export --source SLUG --target SLUG --format csv|json [-o FILE]
  mapping import FILE [--dry-run]                     your own mapping set, all or nothing
  import assets --org SLUG FILE [--dry-run]           all or nothing, problems by row/column
  export assets --org SLUG --format csv|xlsx -o FILE
  import risks --org SLUG FILE [--dry-run]
  export risks --org SLUG --format csv|xlsx|pdf -o FILE
  risk simulate --org SLUG [--trials N] [--seed S] --format json
  reminders send [--org SLUG] [--date YYYY-MM-DD] [--dry-run]   e-mail new reminders once
  soa export --org SLUG --format xlsx|pdf|csv|docx [--version N] -o FILE
  framework list|track|untrack --org SLUG [FRAMEWORK]   the frameworks an organisation tracks
  control list --org SLUG [--format csv|json] [-o FILE]  the control register
  coverage --org SLUG --framework SLUG --format json|xlsx|pdf [-o FILE]
  oscal import FILE [--slug S] [--org SLUG] [--catalog FILE|SLUG] [--maps-as SLUG]
                             an OSCAL catalog or profile (JSON, YAML, XML) as a framework
  oscal resolve PROFILE --catalog FILE [-o FILE]      the resolved catalog as OSCAL JSON
  oscal validate FILE                                 every problem of an OSCAL document
  oscal remove SLUG                                   an imported framework
  oscal export catalog FRAMEWORK | ssp --org SLUG | assessment-results --org SLUG
               | mapping --source SLUG --target SLUG [-o FILE]
  audit-pack --org SLUG -o FILE.zip   approved SoA, risk register, evidence, SHA-256 manifest
  backup -o FILE.zip                  the whole instance: every table, stored files, manifest
  restore FILE.zip [--no-upgrade]     a backup into an empty instance (hashes checked first)
  Any other Django management command (check, shell, createcachetable, ...) also works.
"""


if __name__ == "__main__":
    raise SystemExit(main())
