"""Options shared by several commands, declared once."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from zkmargin import api

proof_option = click.option(
    "--proof",
    "proof_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="proof.json (overrides the bundle's).",
)
public_option = click.option(
    "--public",
    "public_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="public.json (overrides the bundle's).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
engine_option = click.option(
    "--engine", "engine_name", default=None, metavar="NAME", help="Arithmetic engine [default: the fastest available]."
)


AXES = ("positions", "collateral", "scenarios", "groups", "tail_scenarios", "tiers", "pairs")


def capacity_options(command):
    """--positions, --collateral, --scenarios, --groups and the optional axes (0: the feature is
    off and costs nothing), passed to the command as one tuple ``capacity`` in MarginCapacity's
    order: api.MarginCapacity(*capacity), inside the command's friendly_errors."""

    @functools.wraps(command)
    def collect(*args, **kwargs):
        return command(*args, capacity=tuple(kwargs.pop(name) for name in AXES), **kwargs)

    for name, what in reversed(
        [
            ("positions", "instrument slots (the market's instruments, padded)"),
            ("collateral", "collateral asset slots"),
            ("scenarios", "scenario slots"),
            ("groups", "risk groups (underlyings), each margined on its own; positions are split evenly among them"),
            ("tail_scenarios", "expected shortfall's scenario slots (0: no ES; a model with ES needs its count)"),
            ("tiers", "lines per size-tiered collateral value or concentration add-on (0: none)"),
            ("pairs", "inter-group offset pairs, two groups each (0: none)"),
        ]
    ):
        optional = name not in ("positions", "collateral", "scenarios", "groups")
        collect = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=click.IntRange(0 if optional else 1, 1024),
            default=getattr(api.DEFAULT_CAPACITY, name),
            show_default=True,
            help=f"Circuit capacity: {what}.",
        )(collect)
    return collect


def case_options(command):
    """The inputs of a margin case; without them, the bundled inter-protocol sample."""
    command = click.option(
        "--threshold",
        default="1",
        show_default=True,
        help="Margin ratio to prove or report: available >= threshold x requirement.",
    )(command)
    command = click.option(
        "--risk-arrays",
        "risk_arrays",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Use published risk arrays as given instead of computing them.",
    )(command)
    command = click.option(
        "--model",
        default=api.DEFAULT_MODEL,
        show_default=True,
        help=f"Risk model: a preset ({', '.join(api.PRESETS)}) or a model file.",
    )(command)
    command = click.option(
        "--market",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Market snapshot JSON [default: the bundled sample market].",
    )(command)
    command = click.argument("portfolio", required=False, type=click.Path(dir_okay=False, path_type=Path))(command)
    return command


def load_case(portfolio, market, model, risk_arrays, threshold, capacity, level="initial") -> api.MarginCase:
    sizes = api.MarginCapacity(*capacity)
    return api.load_case(portfolio, market, model, sizes, risk_arrays, api.parse_threshold(threshold), level)
