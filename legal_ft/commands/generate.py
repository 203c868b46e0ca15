"""`legalft generate`: write one document from case facts with the base model and the adapter."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from legal_ft.console import console, is_quiet, say, warn


def decode_facts(data: bytes) -> str:
    from legal_ft.io.text import decode_text

    return decode_text(data, "the facts")


def _read_facts(facts_file: Path | None) -> tuple[str, str]:
    """The facts text and where it came from (for messages)."""
    from legal_ft.io.text import read_piped_text, read_text_file

    if facts_file is not None:
        text = read_text_file(facts_file, "facts file", "check the path given to --facts", "the facts")
        return text, str(facts_file)
    text = read_piped_text("facts", "pass --facts FILE, or pipe the facts: legalft generate ... < facts.txt",
                           "the facts")
    return text, "the facts on stdin"


def _stream_to_stdout(text: str) -> None:
    out = console().file
    out.write(text)
    out.flush()


@click.command("generate")
@click.option("--model", "model_dir", required=True, type=click.Path(path_type=Path), help="Base model folder.")
@click.option(
    "--adapter",
    "adapter_dir",
    type=click.Path(path_type=Path),
    help="LoRA adapter folder written by `legalft fit` (omit to use the base model alone).",
)
@click.option("--facts", "facts_file", type=click.Path(path_type=Path), help="Text file with the case facts (default: stdin).")
@click.option("--doc-type", default="claim", show_default=True, help="Document type: claim, arbitration_claim, "
              "pretension, appeal, response, motion, court_order.")
@click.option("--instruction", help="Instruction text instead of the default one for --doc-type.")
@click.option("--out", "out_file", type=click.Path(path_type=Path), help="Also write the document to this file.")
@click.option("--max-new-tokens", default=1024, show_default=True, type=click.IntRange(min=1))
@click.option("--temperature", default=0.0, show_default=True, type=click.FloatRange(min=0.0),
              help="0 = greedy (the same output every run); e.g. 0.7 to sample.")
@click.option("--top-p", default=1.0, show_default=True, type=click.FloatRange(0.0, 1.0, min_open=True),
              help="Nucleus sampling cut-off (only with --temperature > 0).")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed (only matters when sampling).")
@click.option("--load-in", "load_in", type=click.Choice(["4bit", "8bit"]), default=None,
              help="Load the base model quantized (bitsandbytes, CUDA only) to fit an 8-10 GB card.")
@click.option("--allow-pickle", is_flag=True, help="Allow pickled .bin weights (they can run code when loaded).")
def generate(
    model_dir: Path,
    adapter_dir: Path | None,
    facts_file: Path | None,
    doc_type: str,
    instruction: str | None,
    out_file: Path | None,
    max_new_tokens: int,
    temperature: float,
    top_p: float,
    seed: int,
    load_in: str | None,
    allow_pickle: bool,
) -> None:
    """Write a procedural document from case facts, locally, and stream it to the terminal.

    \b
    Example:
      legalft generate --model models/QVikhr-3-4B --adapter models/legal_model_lora \\
          --facts facts.txt --doc-type pretension --out pretension.txt
    """
    from legal_ft.generation import (
        GenerationSettings,
        check_facts,
        default_instruction,
        generate_document,
        load_for_inference,
        parse_doc_type,
    )
    from legal_ft.io import ensure_not_input
    from legal_ft.io.atomic import write_text_atomic

    settings = GenerationSettings(max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p, seed=seed)
    kind = parse_doc_type(doc_type)
    facts, where = _read_facts(facts_file)
    facts = check_facts(facts, where)
    if out_file is not None and facts_file is not None:
        ensure_not_input([out_file], [facts_file])
    text_instruction = instruction.strip() if instruction and instruction.strip() else default_instruction(kind)

    say(f"loading {model_dir}" + (f" with the adapter {adapter_dir}" if adapter_dir else " (no adapter)"))
    loaded = load_for_inference(model_dir, adapter_dir, allow_pickle=allow_pickle, quantization=load_in)
    say(f"writing: {text_instruction} ({'greedy' if settings.greedy else f'sampling, T={temperature}'})", level=1)
    stream = out_file is None or not is_quiet()
    document = generate_document(
        loaded, text_instruction, facts, settings, on_text=_stream_to_stdout if stream else None
    )
    if stream:
        _stream_to_stdout("\n")
    if out_file is not None:
        write_text_atomic(out_file, document.text + "\n")
    ending = "stopped at the end of the document" if document.finished else (
        f"cut at --max-new-tokens {max_new_tokens}"
    )
    result = f"{document.new_tokens} tokens, {ending}" + (f"; written to {out_file}" if out_file else "")
    if out_file is not None and is_quiet():
        click.echo(result)  # nothing was streamed: the result line is all of stdout
    else:
        say(result)
    if not document.text:
        warn("the model wrote nothing; check that the adapter was trained on this model's chat template")
    sys.stdout.flush()
