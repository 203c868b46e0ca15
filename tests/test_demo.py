"""`legalft demo`: the whole pipeline, end to end, in a folder it names; and its refusal to clobber a folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_runs_every_step_and_summarises(run_cli, tmp_path: Path) -> None:
    workdir = tmp_path / "demo"
    result = run_cli("demo", "--workdir", str(workdir), "-n", "60", "--pretrain-steps", "3", "--fit-steps", "2",
                     "--eval-limit", "2", "--eval-max-new-tokens", "8")
    assert result.exit_code == 0, result
    summary = json.loads((workdir / "demo_summary.json").read_text(encoding="utf-8"))
    names = [step["name"] for step in summary["steps"]]
    assert names == ["sample corpus", "merge", "clean --rules strict", "tiny model", "fit (short)", "eval"]
    commands = [step["command"][1] for step in summary["steps"]]
    assert commands == ["sample", "merge", "clean", "model", "fit", "eval"]
    assert all(step["seconds"] > 0 for step in summary["steps"])
    assert "pretrained 3 steps" in summary["steps"][3]["outcome"]
    for step in summary["steps"]:
        for file in step["files"]:
            assert Path(file).exists(), f"{step['name']} did not write {file}"
    # what the steps wrote is the real thing: the clean split feeds fit and eval
    assert (workdir / "datasets" / "clean_training_dataset.jsonl").stat().st_size > 0
    assert (workdir / "models" / "legal_model_lora" / "adapter_model.safetensors").is_file()
    report = json.loads((workdir / "eval" / "eval_report.json").read_text(encoding="utf-8"))
    assert report["rule_set"] == "strict" and report["records"] == 2
    assert report["data"].endswith("clean_eval_dataset.jsonl")
    assert (workdir / "facts_example.txt").read_text(encoding="utf-8").strip()
    # the summary table names each step, its result line and its time
    assert "clean --rules strict" in result.stdout and "kept" in result.stdout
    assert "adapter pass rate" in result.stdout and "total" in result.stdout
    assert "demo finished in" in result.stdout
    assert "[6/6] eval" in result.stderr


def test_the_demo_base_is_pretrained_on_the_training_split_only(tmp_path: Path) -> None:
    """The eval references must stay unseen: the base's pretraining corpus is the clean training split."""
    from legal_ft.demo import DemoOptions, DemoPaths, demo_steps

    paths = DemoPaths(tmp_path)
    steps = {name: args for name, args, _ in demo_steps(DemoOptions(workdir=tmp_path), paths)}
    model_args = steps["tiny model"]
    assert model_args[model_args.index("--corpus") + 1] == str(paths.clean_train)
    assert int(model_args[model_args.index("--pretrain-steps") + 1]) > 0
    assert str(paths.clean_eval) not in model_args
    no_pretraining = {n: a for n, a, _ in demo_steps(DemoOptions(workdir=tmp_path, pretrain_steps=0), paths)}
    assert no_pretraining["tiny model"][no_pretraining["tiny model"].index("--pretrain-steps") + 1] == "0"


def test_demo_refuses_a_folder_it_did_not_make(run_cli, tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    precious = tmp_path / "project" / "dataset.jsonl"
    precious.write_text("{}\n", encoding="utf-8")
    result = run_cli("demo", "--workdir", str(tmp_path / "project"))
    assert result.exit_code == 1
    assert "refusing to run the demo in" in result.stderr and "Traceback" not in result.output
    assert precious.read_text(encoding="utf-8") == "{}\n"


def test_an_earlier_demo_folder_is_cleared_but_nothing_else(tmp_path: Path) -> None:
    from legal_ft.demo import MARKER, prepare_workdir

    workdir = tmp_path / "demo"
    prepare_workdir(workdir)
    assert (workdir / MARKER).is_file()
    (workdir / "datasets").mkdir()
    (workdir / "datasets" / "stale.jsonl").write_text("old", encoding="utf-8")
    (workdir / "notes.txt").write_text("mine", encoding="utf-8")
    prepare_workdir(workdir)
    assert not (workdir / "datasets").exists()
    assert (workdir / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_failing_step_stops_the_demo_with_its_own_error(run_cli, tmp_path: Path, monkeypatch) -> None:
    from legal_ft import demo

    original = demo.demo_steps

    def broken_steps(options, paths):
        steps = original(options, paths)
        name, args, files = steps[1]
        return [steps[0], (name, [*args[:2], str(paths.root / "missing"), *args[3:]], files)]

    monkeypatch.setattr(demo, "demo_steps", broken_steps)
    result = run_cli("demo", "--workdir", str(tmp_path / "demo"), "-n", "20")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, result  # the step's own error, then where the demo stopped
    assert "the demo stopped at `legalft merge` (exit code 1)" in errors[1]


@pytest.mark.parametrize("script, command", [("clean_dataset.bat", "clean"), ("train_lora.bat", "fit")])
def test_windows_wrappers_call_the_real_commands(script: str, command: str) -> None:
    """The .bat files are thin: they check legalft is installed, then call one command with real options."""
    import shlex

    from legal_ft.cli import cli
    from legal_ft.resources import configs_dir

    path = Path(__file__).resolve().parent.parent / "scripts" / script
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), "cmd.exe needs CRLF line endings"
    text = raw.decode("ascii")
    assert "where legalft" in text and "exit /b 1" in text
    calls = [line.strip() for line in text.splitlines() if line.strip().startswith("legalft ")]
    assert len(calls) == 1 and calls[0].endswith("%*")
    words = shlex.split(calls[0])
    assert words[1] == command
    import click

    click_command = cli.get_command(click.Context(cli), command)
    known = {opt for param in click_command.params for opt in getattr(param, "opts", [])}
    used = [w for w in words if w.startswith("--")]
    assert used and set(used) <= known, set(used) - known
    if command == "clean":
        assert words[words.index("--rules") + 1] == "strict"
    else:
        assert "set LEGALFT_GPU_PROFILE=rtx3070" in text
        assert (configs_dir() / "profiles" / "rtx3070.json").is_file()
