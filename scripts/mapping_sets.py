"""Write the mapping sets shipped in src/openisms/catalog/data/mappings/.

    python scripts/mapping_sets.py [--data ../shared/data]

The three NIST sets are copied pair for pair, in NIST's order, from the reference CSVs
(``reference/map-*.csv`` under --data, by default ``../shared/data`` from the repository
root); when that folder is absent they are left as committed. The derived HIPAA -> ISO/IEC
27001:2022 set is then composed from the committed HIPAA -> SP 800-53 and SP 800-53 -> ISO
sets by ``openisms.catalog.mapping_format.derive``; tests/test_mappings.py checks that every
file is what this script writes. Runs without Django.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from openisms.catalog import mapping_format

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "openisms" / "catalog" / "data"
OUT = CATALOG / "mappings"
CONTENT_VERSION = "2026.12.1"
NOT_TYPED = (
    " NIST's list does not type the relationships, so every pair is stored as 'intersects': "
    "the two requirements share subject matter; neither is claimed to cover the other."
)

OFFICIAL: list[dict[str, Any]] = [
    {
        "csv": "map-nist-csf-2.0-to-iso27001-2022.csv",
        "slug": "nist-csf-2.0-to-iso27001-2022",
        "name": "NIST CSF 2.0 to ISO/IEC 27001:2022",
        "source_framework": "nist-csf-2.0",
        "target_framework": "iso27001-2022",
        "document": "NIST informative references of CSF 2.0 to ISO/IEC 27001:2022",
        "version": "",
        "published": None,
        "description": "Which clauses and Annex A controls of ISO/IEC 27001:2022 NIST lists as "
        "informative references for each CSF 2.0 subcategory." + NOT_TYPED,
    },
    {
        "csv": "map-nist-sp800-53r5-to-iso27001-2022.csv",
        "slug": "nist-sp800-53r5-to-iso27001-2022",
        "name": "NIST SP 800-53 Rev. 5 to ISO/IEC 27001:2022",
        "source_framework": "nist-sp800-53r5",
        "target_framework": "iso27001-2022",
        "document": "NIST OLIR: SP 800-53 Rev. 5 to ISO/IEC 27001:2022",
        "version": "",
        "published": "2023-10-12",
        "description": "NIST's Online Informative Reference from SP 800-53 Rev. 5 controls and "
        "enhancements to ISO/IEC 27001:2022 clauses and Annex A controls. SP 800-53 is not a "
        "catalogue of OpenISMS yet: its side of each pair links up once it is loaded." + NOT_TYPED,
    },
    {
        "csv": "map-hipaa-sp800-66r2-to-sp800-53r5.csv",
        "slug": "hipaa-security-rule-to-nist-sp800-53r5",
        "name": "HIPAA Security Rule to NIST SP 800-53 Rev. 5",
        "source_framework": "hipaa-security-rule",
        "target_framework": "nist-sp800-53r5",
        "document": "NIST SP 800-66 Rev. 2 (HIPAA Security Rule) to SP 800-53 Rev. 5, "
        "by HIPAA standard",
        "version": "Rev. 2",
        "published": "2024-02-14",
        "description": "The SP 800-53 Rev. 5 controls that NIST SP 800-66 Rev. 2 relates to each "
        "standard of the HIPAA Security Rule (45 CFR 164 Subpart C). The document cites a "
        "standard such as 164.310(a) without the (1) of its paragraph; ref_aliases link those "
        "to our standards (164.310(a)(1))." + NOT_TYPED,
    },
]

DERIVED = {
    "slug": "hipaa-security-rule-to-iso27001-2022",
    "name": "HIPAA Security Rule to ISO/IEC 27001:2022 (through SP 800-53 Rev. 5)",
    "publisher": "OpenISMS",
    "document": "Composed from NIST SP 800-66 Rev. 2 (HIPAA to SP 800-53 Rev. 5) and NIST OLIR "
    "SP 800-53 Rev. 5 to ISO/IEC 27001:2022",
    "description": "A HIPAA standard relates to an ISO/IEC 27001:2022 requirement when NIST "
    "relates both to a common SP 800-53 Rev. 5 control; each pair's rationale names those "
    "controls. Composed, not published: the pair says the two may overlap, so read the path "
    "before relying on it. SP 800-53 controls that only one of the two NIST sets names lead "
    "nowhere.",
    "content_version": CONTENT_VERSION,
}


def _catalogue_refs(slug: str) -> set[str]:
    doc = json.loads((CATALOG / f"{slug}.json").read_text(encoding="utf-8"))
    return {r["ref"] for r in doc["requirements"]}


def _aliases(refs: list[str], framework: str) -> dict[str, str]:
    """Refs the document writes without a trailing paragraph (1) that our catalogue has."""
    if not (CATALOG / f"{framework}.json").exists():
        return {}
    ours = _catalogue_refs(framework)
    return {
        ref: f"{ref}(1)" for ref in dict.fromkeys(refs) if ref not in ours and f"{ref}(1)" in ours
    }


def official(spec: dict[str, Any], reference: Path) -> dict[str, Any]:
    with open(reference / spec["csv"], newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    aliases = {
        side: found
        for side, column, framework in (
            ("source", 0, spec["source_framework"]),
            ("target", 1, spec["target_framework"]),
        )
        if (found := _aliases([row[column] for row in rows], framework))
    }
    doc: dict[str, Any] = {
        "schema": mapping_format.SCHEMA,
        "slug": spec["slug"],
        "name": spec["name"],
        "source_framework": spec["source_framework"],
        "target_framework": spec["target_framework"],
        "kind": "official",
        "publisher": "NIST",
        "document": spec["document"],
        "version": spec["version"],
        "published": spec["published"],
        "description": spec["description"],
        "content_version": CONTENT_VERSION,
    }
    if aliases:
        doc["ref_aliases"] = aliases
    doc["pairs"] = [{"source": s, "target": t, "relationship": "intersects"} for s, t in rows]
    return doc


def _catalogue(slug: str) -> list[dict[str, Any]]:
    doc = json.loads((CATALOG / f"{slug}.json").read_text(encoding="utf-8"))
    return list(doc["requirements"])


def _structural(
    slug: str, name: str, source: str, pairs: list[dict[str, Any]], about: str
) -> dict[str, Any]:
    return {
        "schema": mapping_format.SCHEMA,
        "slug": slug,
        "name": name,
        "source_framework": source,
        "target_framework": "iso27001-2022",
        "kind": "structural",
        "publisher": "OpenISMS",
        "document": f"From the structure of {name.split(' to ')[0]} (identifiers and titles only)",
        "version": "",
        "published": None,
        "description": about,
        "content_version": CONTENT_VERSION,
        "pairs": pairs,
    }


def iso27701_2025() -> dict[str, Any]:
    """Table A.3 of ISO/IEC 27701:2025 repeats ISO/IEC 27002:2022 controls, by title, for PII:
    each A.3 control is paired with the Annex A control of the same title."""
    iso = {
        r["title"].lower(): r["ref"] for r in _catalogue("iso27001-2022") if r["kind"] == "control"
    }
    pairs = []
    for req in _catalogue("iso27701-2025"):
        if req["kind"] == "control" and req["ref"].startswith("A.3."):
            target = iso.get(req["title"].lower())
            if target is None:
                raise SystemExit(f"iso27701-2025 {req['ref']} has no ISO/IEC 27001:2022 namesake")
            pairs.append(
                {
                    "source": req["ref"],
                    "target": target,
                    "relationship": "superset",
                    "rationale": f"Table A.3 applies ISO/IEC 27002:2022 control {target[2:]} to "
                    "PII, with privacy guidance of its own.",
                }
            )
    return _structural(
        "iso27701-2025-to-iso27001-2022",
        "ISO/IEC 27701:2025 Table A.3 to ISO/IEC 27001:2022 Annex A",
        "iso27701-2025",
        pairs,
        "Each control of Table A.3 (for PII controllers and processors) is an ISO/IEC "
        "27002:2022 control applied to PII: it is paired, as 'superset', with the Annex A "
        "control of the same title, so work on that control counts towards it and the privacy "
        "guidance is what remains. Tables A.1 and A.2 are privacy-only and have no pairs.",
    )


def iso27701_2019() -> dict[str, Any]:
    """ISO/IEC 27701:2019 extends ISO/IEC 27001:2013 (clause 5.N mirrors clause N+2) and ISO/IEC
    27002:2013 (clause 6.x.y.z mirrors control (x+3).y.z). Clause 5 pairs with the 2022 clause of
    the same title within the mirrored clause; clause 6 pairs with the 2022 controls that replaced
    the mirrored 2013 control."""
    clauses = [r for r in _catalogue("iso27001-2022") if r["kind"] == "clause"]
    successors: dict[str, list[str]] = {}
    for req in _catalogue("iso27001-2022"):
        for old in req.get("predecessors", []):
            successors.setdefault(old, []).append(req["ref"])
    pairs = []
    for req in _catalogue("iso27701-2019"):
        ref = req["ref"]
        parts = ref.split(".")
        if parts[0] == "5" and len(parts) >= 2 and ref != "5.1":
            top = str(int(parts[1]) + 2)
            within = [c for c in clauses if c["ref"] == top or c["ref"].startswith(top + ".")]
            same = [c["ref"] for c in within if c["title"].lower() == req["title"].lower()]
            if len(same) == 1:
                pairs.append(
                    {
                        "source": ref,
                        "target": same[0],
                        "relationship": "superset",
                        "rationale": f"Clause {ref} adds privacy requirements to ISO/IEC "
                        f"27001 clause {same[0]}.",
                    }
                )
        elif parts[0] == "6" and len(parts) == 4:
            old = f"A.{int(parts[1]) + 3}.{parts[2]}.{parts[3]}"
            for new in successors.get(old, []):
                pairs.append(
                    {
                        "source": ref,
                        "target": new,
                        "relationship": "intersects",
                        "rationale": f"Clause {ref} extends ISO/IEC 27002:2013 control "
                        f"{old[2:]}, which 2022 control {new[2:]} replaced.",
                    }
                )
    return _structural(
        "iso27701-2019-to-iso27001-2022",
        "ISO/IEC 27701:2019 to ISO/IEC 27001:2022",
        "iso27701-2019",
        pairs,
        "ISO/IEC 27701:2019 is written as extensions: its clause 5.N adds to ISO/IEC 27001 "
        "clause N+2 and its clause 6.x.y.z adds to ISO/IEC 27002:2013 control (x+3).y.z. Clause "
        "5 is paired ('superset') with the ISO/IEC 27001:2022 clause of the same title; clause 6 "
        "('intersects') with the 2022 Annex A controls that replaced the 2013 control, from the "
        "2013 to 2022 correspondence. Annexes A and B are privacy-only and have no pairs.",
    )


def _write(doc: dict[str, Any]) -> None:
    problems = mapping_format.problems(doc)
    if problems:
        raise SystemExit(f"{doc['slug']}: " + "; ".join(problems))
    path = OUT / f"{doc['slug']}.json"
    path.write_text(mapping_format.dumps(doc), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({len(doc['pairs'])} pairs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    reference = args.data / "reference"
    OUT.mkdir(parents=True, exist_ok=True)
    if reference.is_dir():
        for spec in OFFICIAL:
            _write(official(spec, reference))
    else:
        print(f"{reference} not found: the NIST sets stay as committed", file=sys.stderr)
    first, second = (
        json.loads((OUT / f"{slug}.json").read_text(encoding="utf-8"))
        for slug in ("hipaa-security-rule-to-nist-sp800-53r5", "nist-sp800-53r5-to-iso27001-2022")
    )
    _write(mapping_format.derive(first, second, **DERIVED))
    _write(iso27701_2025())
    _write(iso27701_2019())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
