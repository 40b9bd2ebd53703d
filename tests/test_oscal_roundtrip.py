"""Exports re-import unchanged: a catalog we write imports back as the same framework and
exports again identically; the SSP, assessment results and mapping collections read back
through our own OSCAL reader and validator as the same documents; every bad document of the
trestle corpus is refused at import and leaves the database as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from openisms.catalog.models import Framework, MappingSet, Requirement
from openisms.cli import main
from openisms.controls import services as control_services
from openisms.core.models import AuditEvent
from openisms.orgs.access import Actor, actor_for
from openisms.oscal import exports
from openisms.oscal.documents import load_document
from openisms.oscal.errors import OscalError
from openisms.oscal.schemas import schema_dir, schema_errors
from openisms.oscal.services import GivenCatalog, oscal_import, read
from openisms.oscal.validate import validate
from tests.conftest import SHARED_DATA, World, token_client

FIXTURES = Path(__file__).parent / "fixtures" / "oscal"
CORPUS = Path(SHARED_DATA) / "oscal" / "test-corpora" / "trestle-tests-data-json"
CATALOG_5_0_1 = Path(SHARED_DATA) / "oscal" / "catalogs" / "NIST_SP-800-53_rev5.0.1_catalog.json"


def _owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


def _bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def _import(world: World, data: bytes, slug: str, **kwargs: Any) -> Framework:
    return oscal_import(
        actor=_owner(world), organization=world.org_a, data=data, slug=slug, **kwargs
    ).framework


def _body(document: dict[str, Any]) -> dict[str, Any]:
    """A catalog export without what names the framework (its slug and the content uuid)."""
    body = dict(document["catalog"])
    body.pop("uuid")
    meta = dict(body.pop("metadata"))
    return {"metadata": {k: meta[k] for k in ("title", "version")}, **body}


def test_an_imported_catalog_exports_and_reimports_unchanged(world: World) -> None:
    first = _import(world, (FIXTURES / "mini-catalog.json").read_bytes(), "mini")
    exported = exports.catalog_document(first)
    schemas = schema_dir()
    if schemas is not None:  # parameters, parts and props go out as OSCAL wrote them
        assert schema_errors(exported, "catalog", schemas) == []
    again = _import(world, _bytes(exported), "mini-again")
    assert _body(exports.catalog_document(again)) == _body(exported)

    def content(fw: Framework) -> list[tuple[Any, ...]]:
        return list(
            Requirement.objects.filter(framework=fw)
            .order_by("position")
            .values_list("ref", "kind", "title", "parent__ref", "oscal_id", "statement", "params")
        )

    assert content(again) == content(first)


def test_the_iso_catalog_reimports_with_every_requirement(world: World) -> None:
    iso = Framework.objects.get(slug="iso27001-2022")
    exported = exports.catalog_document(iso)
    again = _import(world, _bytes(exported), "iso-again")
    shipped = {
        r.ref: (r.title, r.parent.ref if r.parent else None)
        for r in Requirement.objects.filter(framework=iso).select_related("parent")
    }
    back = {
        r.ref: (r.title, r.parent.ref if r.parent else None)
        for r in Requirement.objects.filter(framework=again).select_related("parent")
    }
    # The same requirements with the same titles; Annex A controls now sit in their theme
    # group (A.5 to A.8), the clauses under their parents as before.
    assert {ref: title for ref, (title, _) in shipped.items()} == {
        ref: title for ref, (title, _) in back.items() if ref in shipped
    }
    assert set(back) - set(shipped) == {"A.5", "A.6", "A.7", "A.8"}
    for ref, (_, parent) in shipped.items():
        expected = parent if parent is not None or not ref.startswith("A.") else ref[:3]
        assert back[ref][1] == expected, ref


def _reads_back(document: dict[str, Any], model: str) -> None:
    parsed = load_document(_bytes(document))
    validate(parsed)
    assert parsed.model == model
    assert parsed.as_json() == document


def test_ssp_and_assessment_results_read_back_unchanged(world: World) -> None:
    actor = _owner(world)
    control_services.control_create(
        actor=actor,
        ref="BK-01",
        name="Backups",
        status="implemented",
        requirements=["iso27001-2022:A.8.13"],
    )
    _reads_back(exports.ssp_document(actor=actor, organization=world.org_a), "system-security-plan")
    _reads_back(
        exports.assessment_results_document(actor=actor, organization=world.org_a),
        "assessment-results",
    )


def test_mapping_collections_read_back_with_every_pair(db: Any) -> None:
    for mapping_set in MappingSet.objects.all():
        document = exports.mapping_document(mapping_set)
        _reads_back(document, "mapping-collection")
        maps = [
            m for mapping in document["mapping-collection"]["mappings"] for m in mapping["maps"]
        ]
        assert len(maps) == mapping_set.pairs.count(), mapping_set.slug


def _corpus_refused() -> list[str]:
    if not CORPUS.is_dir():
        return []
    refused = []
    for path in sorted(CORPUS.glob("*.json")):
        try:
            read(path.read_bytes(), filename=path.name)
        except OscalError:
            refused.append(path.name)
    return refused


REFUSED = _corpus_refused()


def test_the_corpus_has_bad_documents() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the trestle test corpus is not on this machine")
    assert len(REFUSED) >= 20
    assert {"bad_simple.json", "minimal_catalog_bad_oscal_version.json"} <= set(REFUSED)


@pytest.mark.parametrize("name", REFUSED)
def test_every_bad_corpus_document_is_refused_and_changes_nothing(world: World, name: str) -> None:
    before = (
        Framework.objects.count(),
        Requirement.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(OscalError) as caught:
        _import(world, (CORPUS / name).read_bytes(), "corpus")
    assert all(i.message for i in caught.value.issues)
    after = (Framework.objects.count(), Requirement.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_a_profile_naming_an_unknown_control_is_refused(world: World) -> None:
    """profile_bad_control is well formed, but one of its ids is not in the catalog."""
    if not CATALOG_5_0_1.exists():
        pytest.skip(f"{CATALOG_5_0_1} is absent")
    profile = CORPUS / "profile_bad_control.json"
    catalog = GivenCatalog(CATALOG_5_0_1.name, read(CATALOG_5_0_1.read_bytes()))
    before = Framework.objects.count()
    with pytest.raises(OscalError, match="ac-2-1"):
        _import(world, profile.read_bytes(), "bad-control", catalogs=[catalog])
    assert Framework.objects.count() == before


def test_an_empty_register_gets_a_clear_message_not_an_invalid_ssp(
    world: World, capsys: Any
) -> None:
    with pytest.raises(ValidationError, match="no control that meets"):
        exports.ssp_document(actor=_owner(world), organization=world.org_a)
    assert main(["oscal", "export", "ssp", "--org", "org-a"]) == 1
    assert "no control that meets" in capsys.readouterr().err
    response = token_client(world.owner_a).get("/api/v1/orgs/org-a/oscal/ssp")
    assert response.status_code == 422 and "no control" in str(response.json()["detail"])


def test_a_mapping_collection_reimports_as_the_same_pairs(
    db: Any, tmp_path: Path, capsys: Any
) -> None:
    """Our export of a set, imported back (`openisms oscal import`), is a user set with the same
    pairs; a collection that does not name its frameworks needs --source and --target."""
    shipped = MappingSet.objects.get(slug="nist-csf-2.0-to-iso27001-2022")
    path = tmp_path / "csf.json"
    path.write_bytes(_bytes(exports.mapping_document(shipped)))
    # The shipped set's own slug is refused: shipped sets are not replaced by imports.
    assert main(["oscal", "import", str(path)]) == 1
    assert "ships with OpenISMS" in capsys.readouterr().err
    assert main(["oscal", "import", str(path), "--slug", "csf-copy"]) == 0
    copy = MappingSet.objects.get(slug="csf-copy")

    def pairs(mapping_set: MappingSet) -> list[tuple[Any, ...]]:
        return sorted(
            mapping_set.pairs.values_list(
                "source_ref", "target_ref", "relationship", "strength", "rationale"
            )
        )

    assert copy.kind == "user" and copy.source_framework == "nist-csf-2.0"
    assert pairs(copy) == pairs(shipped) and len(pairs(copy)) > 300
    # From elsewhere: no framework named in the back-matter.
    document = exports.mapping_document(shipped)
    for resource in document["mapping-collection"]["back-matter"]["resources"]:
        resource.pop("props"), resource.pop("document-ids")
    path.write_bytes(_bytes(document))
    assert main(["oscal", "import", str(path), "--slug", "csf-other"]) == 1
    assert "--source" in capsys.readouterr().err
    args = ["--source", "nist-csf-2.0", "--target", "iso27001-2022"]
    assert main(["oscal", "import", str(path), "--slug", "csf-other", *args]) == 0
    assert pairs(MappingSet.objects.get(slug="csf-other")) == pairs(shipped)
