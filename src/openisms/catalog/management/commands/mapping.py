from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openisms.catalog import export, selectors, services


class Command(BaseCommand):
    help = (
        "Mapping sets: 'mapping list', "
        "'mapping export --source SLUG --target SLUG --format csv|json [-o FILE]', "
        "'mapping import FILE [--dry-run]' (your own set, all or nothing)."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List the loaded mapping sets.")
        exp = sub.add_parser("export", help="Export the pairs from one framework to another.")
        exp.add_argument("--source", required=True, help="Slug of the source framework.")
        exp.add_argument("--target", required=True, help="Slug of the target framework.")
        exp.add_argument("--format", choices=["json", "csv"], default="csv")
        exp.add_argument("-o", "--output", help="File to write (default: standard output).")
        imp = sub.add_parser("import", help="Import a mapping-set file as a set of kind 'user'.")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="Check the file, write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list()
        elif action == "export":
            self._export(options)
        else:
            self._import(Path(options["file"]), dry_run=options["dry_run"])

    def _list(self) -> None:
        for s in selectors.mapping_set_list():
            self.stdout.write(
                f"{s.slug}\t{s.kind}\t{s.source_framework} -> {s.target_framework}\t"
                f"{s.pair_count} pairs ({s.resolved_count} linked)\t{s.provenance}"  # type: ignore[attr-defined]
            )

    def _export(self, options: dict[str, Any]) -> None:
        source, target = options["source"], options["target"]
        data = export.mapping_rows(source=source, target=target)
        if not data:
            directions = sorted(
                {
                    f"{s.source_framework} -> {s.target_framework}"
                    for s in selectors.mapping_set_list()
                }
            )
            raise CommandError(
                f"No mapping sets from '{source}' to '{target}'. "
                f"Loaded: {', '.join(directions) or 'none'}."
            )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as fh:
                export.write_mappings(data, options["format"], fh)
            self.stderr.write(f"Wrote {len(data)} pairs to {options['output']}.")
        else:
            export.write_mappings(data, options["format"], sys.stdout)

    def _import(self, path: Path, *, dry_run: bool) -> None:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        outcome = services.mapping_set_import(
            actor=None, data=path.read_bytes(), filename=path.name, dry_run=dry_run
        )
        if not outcome.ok:
            for problem in outcome.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"{len(outcome.problems)} problem(s); nothing was imported. Fix the file and retry."
            )
        assert outcome.result is not None
        if dry_run:
            self.stdout.write(f"{path.name}: {outcome.result.pairs} pairs, no problems (dry run).")
        else:
            self.stdout.write(str(outcome.result))
