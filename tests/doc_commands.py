"""`hub` command lines as the docs write them, checked against the real CLI and turned into
command lines a test can run.

A usage is what the docs show: `hub keys create --name N --role R [--partner B]`. Its
conventions: `[...]` is optional (a test includes it), `a|b` are alternatives (of a
subcommand, a value, or `--gzip/--no-gzip` flags; a test runs each), an upper-case word
(`ID`, `FILE...`, `M.toml`) or `...` is a placeholder for a value, and `FILE...` means one
or more. Every word must be something the CLI knows: a subcommand, an option of that
command, an option's value or an argument; and every required option and argument must be
there.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import typer.main

from hub.cli import app

PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z0-9_]*(?:\.[a-z]+)?)?(?:\.\.\.)?$")


class UsageError(ValueError):
    """A usage the CLI would not accept as written."""


@dataclass(frozen=True)
class Word:
    """One word after the command path: an option (with its value, if it takes one) or an
    argument. ``choices`` holds the alternatives written as `a|b`."""

    option: str | None  # the option as written (`--purpose`), None for an argument
    choices: tuple[str, ...]  # the value(s), or the flag alternatives for a flag option
    flag: bool = False  # an option without a value (`--dry-run`, `--gzip/--no-gzip`)

    def placeholder(self, choice: str) -> bool:
        return bool(PLACEHOLDER.match(choice))


@dataclass(frozen=True)
class Usage:
    """One command of a usage, after subcommand alternatives are split."""

    text: str
    path: tuple[str, ...]  # ("keys", "create")
    words: tuple[Word, ...] = field(default=())

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def command_lines(self, value: Callable[[Usage, Word, str], str]) -> list[list[str]]:
        """Runnable argument lists (without `hub`): one per alternative, placeholders
        replaced by ``value(usage, word, placeholder)``."""
        count = max([len(w.choices) for w in self.words] or [1])
        lines = []
        for i in range(count):
            argv = list(self.path)
            for word in self.words:
                choice = word.choices[i % len(word.choices)]
                if word.flag:
                    argv.append(choice)
                    continue
                if word.option is not None:
                    argv.append(word.option)
                argv.append(value(self, word, choice) if word.placeholder(choice) else choice)
            if argv not in lines:
                lines.append(argv)
        return lines


# Typer carries its own copy of click, so commands and parameters are read by duck typing:
# a group has `commands`; a parameter's `param_type_name` is "option" or "argument".
Command = Any


def root() -> Command:
    return typer.main.get_command(app)


def _subcommands(command: Command) -> dict[str, Command] | None:
    found = getattr(command, "commands", None)
    return found if isinstance(found, dict) else None


def parse(text: str) -> list[Usage]:
    """The usages a doc's `hub ...` text stands for; raises UsageError saying what the CLI
    would not accept."""
    tokens = shlex.split(text.replace("\\|", "|").replace("[", " ").replace("]", " "))
    if not tokens or tokens[0] != "hub":
        raise UsageError(f"{text!r} does not start with `hub`")
    found: list[Usage] = []
    _walk(text, root(), (), tokens[1:], found)
    return found


def _walk(
    text: str, command: Command, path: tuple[str, ...], rest: list[str], out: list[Usage]
) -> None:
    subcommands = _subcommands(command)
    if subcommands is not None and rest and not rest[0].startswith("-"):
        for name in rest[0].split("|"):
            sub = subcommands.get(name)
            if sub is None:
                known = ", ".join(sorted(subcommands))
                raise UsageError(f"`hub {' '.join(path)}` has no subcommand {name!r} ({known})")
            _walk(text, sub, (*path, name), rest[1:], out)
        return
    out.append(Usage(text, path, _words(command, path, rest)))


def _words(command: Command, path: tuple[str, ...], rest: list[str]) -> tuple[Word, ...]:
    if not rest:
        return ()  # a bare command name: a reference to the command, not a usage of it
    options = {opt: p for p in command.params if p.param_type_name == "option"
               for opt in (*p.opts, *p.secondary_opts)}  # fmt: skip
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    words: list[Word] = []
    given: set[str] = set()
    positional = 0
    i = 0
    where = f"`hub {' '.join(path)}`"
    while i < len(rest):
        token = rest[i]
        if token.startswith("-") and token != "-":
            choices = tuple(token.split("/"))
            params = {options.get(c) for c in choices}
            if None in params or len(params) != 1:
                raise UsageError(f"{where} has no option {token!r} ({', '.join(sorted(options))})")
            param = params.pop()
            given.add(param.name)
            if param.is_flag:
                words.append(Word(token, choices, flag=True))
                i += 1
                continue
            if i + 1 >= len(rest) or rest[i + 1].startswith("-"):
                raise UsageError(f"{where}: {token} needs a value")
            words.append(Word(token, tuple(rest[i + 1].split("|"))))
            i += 2
            continue
        if positional >= len(arguments):
            raise UsageError(f"{where} takes no argument {token!r}")
        argument = arguments[positional]
        given.add(argument.name)
        words.append(Word(None, tuple(token.split("|"))))
        if argument.nargs == 1:
            positional += 1
        elif not token.endswith("..."):
            positional += 1  # `FILE` for a nargs=-1 argument: one of them
        i += 1
    missing = [
        p.opts[0] if p.param_type_name == "option" else p.name.upper()
        for p in command.params
        if p.required and p.name not in given
    ]
    if missing:
        raise UsageError(f"{where} also needs {', '.join(missing)}")
    return tuple(words)
