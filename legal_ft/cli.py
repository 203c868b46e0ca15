"""The `legalft` command line: parse options, call the library, print. No logic lives here.

Each subcommand is a module under `legal_ft.commands`, imported only when that command runs, so
`legalft --help` and the light commands start without importing torch.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

import click

from legal_ft import __version__
from legal_ft.console import install_safe_streams, set_verbosity
from legal_ft.errors import LegalFtError

# name -> (module, attribute, one-line help shown in `legalft --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "sample": ("legal_ft.commands.sample", "sample", "Generate a realistic raw sample corpus (with labelled defects)."),
    "merge": ("legal_ft.commands.merge", "merge", "Merge the collected dataset_*.jsonl files, drop exact duplicates."),
    "collect": ("legal_ft.commands.collect", "collect", "Append records from a JSONL file or stdin to the collection."),
    "clean": ("legal_ft.commands.clean", "clean", "Clean the merged dataset with a rule set (e.g. --rules strict)."),
    "rules": ("legal_ft.commands.rules", "rules", "List the cleaning rules or show one rule's documentation."),
    "model": ("legal_ft.commands.model", "model", "Build the tiny offline model used by the demo and the tests."),
    "config": ("legal_ft.commands.config", "config", "Write a LoRA training config adjusted to the dataset."),
    "profiles": ("legal_ft.commands.profiles", "profiles", "Show GPU profiles with a peak-memory estimate."),
    "fit": ("legal_ft.commands.fit", "fit", "Train a LoRA adapter (e.g. --gpu-profile rtx3070)."),
    "generate": ("legal_ft.commands.generate", "generate", "Write a document from facts with the base model + adapter."),
    "eval": ("legal_ft.commands.eval", "eval_cmd", "Generate for held-out inputs and score them with the rules."),
    "export": ("legal_ft.commands.export", "export", "Copy the adapter, or merge it into the base model."),
    "demo": ("legal_ft.commands.demo", "demo", "Run the whole pipeline on sample data with the tiny model."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {n for n in COMMANDS if _available(n)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in COMMANDS:
            return command
        module_name, attr, _ = COMMANDS[cmd_name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command = getattr(module, attr)
        _accept_verbosity_flags(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Show help lines without importing every command module (keeps `--help` fast).
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx) if name in COMMANDS]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LegalFtError as exc:
            _fail(ctx, f"error: {exc.one_line()}", exc.exit_code, exc)
        except KeyboardInterrupt:
            _fail(ctx, "interrupted: outputs already written are complete; partial ones were discarded", 130, None)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except MemoryError as exc:
            _fail(ctx, "error: out of memory — use a smaller input, fewer --workers, or a smaller profile", 1, exc)
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            _fail(
                ctx,
                f"internal error: {type(exc).__name__}: {exc} — rerun with --debug for the traceback and report it",
                2,
                exc,
            )


def _set_verbose(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if value:
        set_verbosity(value)


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        set_verbosity(-1)


def _accept_verbosity_flags(command: click.Command) -> None:
    """Let `legalft merge -q` work as well as `legalft -q merge` (users put flags after the command)."""
    names = {opt for param in command.params for opt in getattr(param, "opts", [])}
    if "-v" not in names and "--verbose" not in names:
        command.params.append(
            click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_set_verbose,
                         help="More detail (same as `legalft -v COMMAND`).")
        )
    if "-q" not in names and "--quiet" not in names:
        command.params.append(
            click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_quiet,
                         help="Only errors, warnings and the final result line.")
        )


def _available(name: str) -> bool:
    module_name = COMMANDS[name][0]
    return importlib.util.find_spec(module_name) is not None


def _fail(ctx: click.Context, message: str, code: int, exc: BaseException | None) -> None:
    obj = ctx.find_root().obj or {}
    if obj.get("debug") and exc is not None:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    click.echo(message, err=True)
    ctx.exit(code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, "--version", prog_name="legalft")
@click.option("-v", "--verbose", count=True, help="More detail (repeat for debug output).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors, warnings and the final result line.")
@click.option("--debug", is_flag=True, help="Show the Python traceback on errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, debug: bool) -> None:
    """legalft — clean collected legal documents and fit a LoRA adapter for a local Russian model.

    Pipeline: collect → merge → clean → fit → eval / generate. Run `legalft demo` to see it end to end.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    set_verbosity(-1 if quiet else verbose)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: usage errors become one line and exit code 1."""
    install_safe_streams()
    try:
        code = cli.main(args=argv, prog_name="legalft", standalone_mode=False)
    except click.exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "legalft"
        click.echo(f"error: {exc.format_message().rstrip('.')} — see '{where} --help'", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
