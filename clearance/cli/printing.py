"""How the ``customs`` command prints outcomes, declarations and lists for people and tools."""

from __future__ import annotations

import json
from typing import Any

from clearance.app import SubmissionOutcome


def print_outcome(outcome: SubmissionOutcome, *, as_json: bool) -> None:
    """One file's outcome: a JSON line (the contract in docs/cli.md), or lines for people."""
    if as_json:
        print(json.dumps(outcome.to_json(), ensure_ascii=False))
        return
    print(
        f"{outcome.file or 'request'}: {outcome.status.value} (message {outcome.message_id}, "
        f"{outcome.format or 'unknown format'}, ref {outcome.control_reference or '-'})"
    )
    for error in outcome.errors:
        print(
            f"  error {error.code}{_where(error.segment, error.line, error.column)}: {error.text}"
        )
    for manifest in outcome.manifests:
        print(
            f"  manifest {manifest['voyage'] or '-'} {manifest['conveyance'] or ''}: "
            f"{manifest['status']}, bills {', '.join(manifest['bills']) or '-'}"
            + (
                f"; matched {', '.join(manifest['matched_declarations'])}"
                if manifest["matched_declarations"]
                else ""
            )
        )
        for error in manifest.get("errors") or ():  # why a set was rejected, or its warnings
            where = _where(error.get("segment"), error.get("line"), error.get("column"))
            print(f"    {error.get('code')}{where}: {error.get('text')}")
    for declaration in outcome.declarations:
        number = declaration.number or "(no number)"
        print(
            f"  {declaration.message_reference} {declaration.sender_reference or ''} -> "
            f"{number} {declaration.direction or ''} {declaration.status}"
        )
        told = {reason.code for reason in declaration.reasons}
        for finding in declaration.findings:  # what the answer does not already say
            if finding.rule_id[:8] not in told:
                print(f"    {finding.rule_id} ({finding.severity.value}): {finding.message_en}")
        for reason in declaration.reasons:
            print(
                f"    {reason.code}{_where(reason.segment, reason.line, reason.column)}: "
                f"{reason.text}"
            )


def _where(segment: str | None, line: int | None, column: int | None) -> str:
    """`` at SEG line L column C`` for what is known of a location, or nothing."""
    parts = [p for p in (segment, line and f"line {line}", column and f"column {column}") if p]
    return f" at {' '.join(str(p) for p in parts)}" if parts else ""


def print_declaration(data: dict[str, Any]) -> None:
    """``customs declarations show``: content, assessment, events and answers, for people."""
    d = data["declaration"]
    print(
        f"declaration {data['number']}  ({data['direction']}, {data['status']}, "
        f"version {data['version']}, accepted {data['accepted_on']})"
    )
    print(
        f"  sender {data['sender']}  reference {data['sender_reference']}  "
        f"office {data['office']}  trade mode {d.get('trade_mode') or '-'}"
    )
    for party in d.get("parties", []):
        ids = ", ".join(f"{i['scheme']} {i['value']}" for i in party.get("identifiers", []))
        print(f"  {party['role']:<20} {party.get('name') or '-'} {ids}")
    print("  items:")
    for item in d["items"]:
        value = item.get("value") or {}
        print(
            f"    {item['sequence']:>3} {item['commodity_code']:<10} "
            f"{item.get('origin_country') or '--'} {value.get('currency', '')} "
            f"{value.get('value', '')}  {item.get('description') or ''}"
        )
    assessment = data.get("assessment")
    if assessment:
        _print_assessment(assessment)
    print("  events:")
    for event in data["events"]:
        print(f"    #{event['id']} {event['occurred_at']} {event['kind']}")
    for response in data["responses"]:
        print(f"  {response['message_type']} sent {response['created_at']}:")
        print("    " + response["text"].replace("\n", "\n    "))


def _print_assessment(a: dict[str, Any]) -> None:
    print(
        f"  assessment ({a['regime']}, schedule {a['schedule_version']}, on {a['as_of']}, "
        f"{a['currency']}):"
    )
    for item in a["items"]:
        value = (item.get("value") or {}).get("customs_value", "-")
        rate = (item.get("rate") or {}).get("label", "-")
        print(f"    item {item['sequence']} {item['code']} customs value {value}: {rate}")
        for line in item["lines"]:
            print(
                f"      {line['tax']:<16} {line['expression']:<36} on {line['base']:>14} "
                f"= {line['amount']:>12}"
            )
        for alternative in item["alternatives"]:
            print(f"      not chosen: {alternative['message']}")
    for total in a["totals"]:
        relief = f"  ({total['relief']})" if total.get("relief") else ""
        print(
            f"    {total['label_en']:<22} assessed {total['assessed']:>12} "
            f"payable {total['payable']:>12}{relief}"
        )
    print(f"    total payable {a['currency']} {a['total_payable']}")


def print_json_lines(rows: list[dict[str, Any]]) -> None:
    """One JSON object per line (JSON Lines)."""
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
