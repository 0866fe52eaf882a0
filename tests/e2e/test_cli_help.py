"""What ``customs --help`` and each command's help tell a user (no database needed)."""

from __future__ import annotations

import argparse

import pytest

from clearance.cli import main
from clearance.cli.main import _parser


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main([*argv, "--help"])
    assert stopped.value.code == 0
    return capsys.readouterr().out


def _commands(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each sub-command's name and the line the parent's list shows for it."""
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {action.dest: action.help or "" for action in sub._choices_actions}


def test_the_top_level_help_says_what_the_tool_is_for(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys)
    assert "process customs declarations" in text
    assert "CUSTOMS_DATABASE_URL" in text and "customs COMMAND --help" in text
    # The developer's note about the module (its docstring) is not the users' help.
    for internal in (":mod:", "clearance.app", "never touches the store", "use case"):
        assert internal not in text


def test_every_command_says_what_it_is_for_in_its_own_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = _commands(_parser())
    assert len(commands) > 20
    for name, line in commands.items():
        assert line, f"{name} has no line in the command list"
        text = _help(capsys, name)
        # argparse prints the description after the usage, before the arguments.
        description = text.split("\n\n")[1]
        assert " ".join(description.split()) == " ".join(line.split()), name


def test_a_group_without_its_action_shows_the_groups_actions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tariff"]) == 2
    text = capsys.readouterr().out
    assert text.startswith("usage: customs tariff")
    assert "quote" in text and "tariff schedules: load, show, quote" in text
