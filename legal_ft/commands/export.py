"""`legalft export`: copy the adapter, or merge it into the base model (16-bit safetensors)."""

from __future__ import annotations

from pathlib import Path

import click

from legal_ft.console import say


@click.command("export")
@click.option("--model", "model_dir", required=True, type=click.Path(path_type=Path), help="Base model folder.")
@click.option("--adapter", "adapter_dir", required=True, type=click.Path(path_type=Path),
              help="LoRA adapter folder written by `legalft fit`.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder to write (replaced as a whole when the export succeeds).")
@click.option("--merge", is_flag=True, help="Write the base model with the adapter merged in, not the adapter alone.")
@click.option("--dtype", type=click.Choice(["float16", "bfloat16"]), default="float16", show_default=True,
              help="Precision of the merged weights (bfloat16 for RTX 30xx and newer runtimes that prefer it).")
@click.option("--allow-pickle", is_flag=True, help="Allow pickled .bin weights (they can run code when loaded); "
              "the export is written as safetensors.")
def export(model_dir: Path, adapter_dir: Path, out_dir: Path, merge: bool, dtype: str, allow_pickle: bool) -> None:
    """Copy the adapter (safetensors + tokenizer), or with --merge write a full merged model.

    \b
    Examples:
      legalft export --model models/QVikhr-3-4B --adapter models/legal_model_lora --out export/adapter
      legalft export --model models/QVikhr-3-4B --adapter models/legal_model_lora --out export/merged --merge
    """
    from legal_ft.export import export_adapter

    say("merging the adapter into the base model" if merge else "copying the adapter")
    result = export_adapter(model_dir, adapter_dir, out_dir, merge=merge, dtype=dtype, allow_pickle=allow_pickle)
    what = f"merged model ({result.dtype})" if result.merged else "adapter"
    say(f"files: {', '.join(result.files)}", level=1)
    click.echo(f"{what} written to {result.out_dir}")
