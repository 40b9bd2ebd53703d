from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from openisms.catalog.models import Framework, MappingSet
from openisms.catalog.services import mapping_set_import
from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.oscal import exports
from openisms.oscal.documents import Document
from openisms.oscal.errors import Issue, OscalError
from openisms.oscal.mapping_import import mapping_set_document, suggested_slug
from openisms.oscal.resolve import resolve_profile
from openisms.oscal.services import GivenCatalog, oscal_framework_delete, oscal_import, read

USAGE = (
    "OSCAL: 'oscal import FILE [--slug SLUG] [--org SLUG] [--catalog FILE|SLUG]', "
    "'oscal resolve PROFILE --catalog FILE [-o FILE]', 'oscal validate FILE', "
    "'oscal export catalog FRAMEWORK | ssp --org SLUG | assessment-results --org SLUG | "
    "mapping --source SLUG --target SLUG [-o FILE]'."
)


def _bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc


class Command(BaseCommand):
    help = USAGE

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a catalog or profile as a framework.")
        imp.add_argument("file")
        imp.add_argument("--slug", help="The framework's slug (default: from its title).")
        imp.add_argument(
            "--org", help="The organisation it belongs to (default: the whole instance)."
        )
        imp.add_argument(
            "--catalog",
            action="append",
            default=[],
            help="For a profile: the catalog file it selects from, or the slug of an imported "
            "catalog (repeat for several).",
        )
        imp.add_argument(
            "--source", help="For a mapping collection from elsewhere: its source framework."
        )
        imp.add_argument("--target", help="... and its target framework.")
        imp.add_argument(
            "--maps-as",
            help="The framework slug mapping sets call it (default: judged from the title; "
            "'nist-sp800-53r5' for SP 800-53 Rev. 5 and its baselines).",
        )
        res = sub.add_parser("resolve", help="Resolve a profile into a catalog (OSCAL JSON).")
        res.add_argument("profile")
        res.add_argument("--catalog", action="append", required=True)
        res.add_argument("-o", "--output")
        rem = sub.add_parser("remove", help="Remove an imported framework.")
        rem.add_argument("framework")
        val = sub.add_parser("validate", help="Check a document and list every problem.")
        val.add_argument("file")
        exp = sub.add_parser("export", help="Write an OSCAL document.")
        exp.add_argument(
            "what", choices=["catalog", "ssp", "assessment-results", "mapping"], metavar="WHAT"
        )
        exp.add_argument("framework", nargs="?", help="For 'catalog': the framework's slug.")
        exp.add_argument("--org")
        exp.add_argument("--source")
        exp.add_argument("--target")
        exp.add_argument("-o", "--output")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except OscalError as exc:
            raise CommandError(f"refused:\n{exc}") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _org(self, slug: str | None, *, required: bool) -> Organization | None:
        if slug is None:
            if required:
                raise CommandError("--org SLUG is required.")
            return None
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organisation with slug '{slug}'.")
        return org

    def _write(self, document: dict[str, Any], output: str | None) -> None:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}.")
        else:
            sys.stdout.write(text)

    def _catalogs(self, names: list[str]) -> tuple[list[GivenCatalog], Framework | None]:
        files: list[GivenCatalog] = []
        framework: Framework | None = None
        for name in names:
            if Path(name).is_file():
                files.append(GivenCatalog(Path(name).name, read(_bytes(name), filename=name)))
                continue
            framework = Framework.objects.filter(slug=name).first()
            if framework is None:
                raise CommandError(f"--catalog {name}: no such file or imported framework.")
        return files, framework

    def _import(self, options: dict[str, Any]) -> None:
        data = _bytes(options["file"])
        document = read(data, filename=options["file"])
        if document.model == "mapping-collection":
            self._import_mapping(document, options)
            return
        org = self._org(options["org"], required=False)
        files, framework = self._catalogs(options["catalog"])
        result = oscal_import(
            actor=None,
            organization=org,
            data=data,
            filename=Path(options["file"]).name,
            slug=options["slug"],
            catalogs=files,
            catalog_framework=framework,
            mapping_key=options["maps_as"],
        )
        owner = f"organisation {org.slug}" if org else "the whole instance"
        self.stdout.write(f"{result} for {owner}.")
        self._warn(result.notes)

    def _import_mapping(self, document: Document, options: dict[str, Any]) -> None:
        """A mapping collection becomes a mapping set of the whole instance (kind user), through
        the catalogue's all-or-nothing mapping import."""
        if options["org"]:
            raise CommandError("Mapping sets belong to the whole instance: leave out --org.")
        slug = options["slug"] or suggested_slug(document)
        if not slug:
            raise CommandError("Give the mapping set a slug (--slug).")
        doc = mapping_set_document(
            document, slug=slug, source=options["source"], target=options["target"]
        )
        outcome = mapping_set_import(
            actor=None,
            data=json.dumps(doc, ensure_ascii=False).encode(),
            filename=Path(options["file"]).name,
        )
        if not outcome.ok:
            raise CommandError("refused:\n" + "\n".join(outcome.problems))
        self.stdout.write(f"{outcome.result}")

    def _resolve(self, options: dict[str, Any]) -> None:
        profile = read(_bytes(options["profile"]), filename=options["profile"])
        if profile.model != "profile":
            raise CommandError(f"{options['profile']} is a {profile.model}, not a profile.")
        files, framework = self._catalogs(options["catalog"])
        if framework is not None:
            raise CommandError("resolve takes catalog files (--catalog FILE).")
        by_name = {g.name.lower(): g.document for g in files}

        def load(href: str) -> Any:
            if len(files) == 1:
                return files[0].document
            found = by_name.get(href.rsplit("/", 1)[-1].lower())
            if found is None:
                raise CommandError(f"No --catalog given for the import '{href}'.")
            return found

        warnings: list[Issue] = []
        self._write(resolve_profile(profile, load=load, warnings=warnings), options["output"])
        self._warn([f"{w.path}: {w.message}" for w in warnings])

    def _warn(self, notes: list[str]) -> None:
        """Warnings (a profile written for a newer catalog sets parameters this one lacks)."""
        if notes:
            self.stderr.write(f"{len(notes)} warning(s), for example:")
            for note in notes[:5]:
                self.stderr.write(f"  {note}")

    def _remove(self, options: dict[str, Any]) -> None:
        framework = Framework.objects.filter(slug=options["framework"]).first()
        if framework is None:
            raise CommandError(f"No framework '{options['framework']}'.")
        gone = oscal_framework_delete(actor=None, framework=framework)
        self.stdout.write(
            f"Removed {framework.slug} ({gone['requirements']} requirements, "
            f"{gone['assessments']} assessments)."
        )

    def _validate(self, options: dict[str, Any]) -> None:
        document = read(_bytes(options["file"]), filename=options["file"])
        self.stdout.write(
            f"{options['file']}: a valid OSCAL {document.model} "
            f"(OSCAL {document.version}, {document.format.upper()})."
        )

    def _export(self, options: dict[str, Any]) -> None:
        what = options["what"]
        if what == "catalog":
            framework = Framework.objects.filter(slug=options["framework"] or "").first()
            if framework is None:
                raise CommandError(f"No framework '{options['framework']}'.")
            document = exports.catalog_document(framework)
        elif what == "mapping":
            mapping_set = MappingSet.objects.filter(
                source_framework=options["source"], target_framework=options["target"]
            ).first()
            if mapping_set is None:
                raise CommandError(
                    f"No mapping set from '{options['source']}' to '{options['target']}'."
                )
            document = exports.mapping_document(mapping_set)
        else:
            org = self._org(options["org"], required=True)
            assert org is not None
            actor = system_actor(org)
            document = (
                exports.ssp_document(actor=actor, organization=org)
                if what == "ssp"
                else exports.assessment_results_document(actor=actor, organization=org)
            )
        self._write(document, options["output"])
