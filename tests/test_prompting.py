"""The prompt format shared by training and generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from legal_ft.errors import ConfigError
from legal_ft.prompting import build_messages, render_example, render_prompt


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path):
    from legal_ft.modeling.loading import load_tokenizer

    return load_tokenizer(tiny_model_dir)


def test_build_messages_single_user_turn_with_facts() -> None:
    messages = build_messages("  Составь иск.  ", "Истец передал товар.")
    assert messages == [
        {"role": "user", "content": "Составь иск.\n\nФактические обстоятельства:\nИстец передал товар."}
    ]
    assert build_messages("Составь иск.", "  ") == [{"role": "user", "content": "Составь иск."}]


def test_render_prompt_is_qwen3_non_thinking_generation_prompt(tokenizer) -> None:
    prompt = render_prompt(tokenizer, "Составь иск.", "Факты дела.")
    assert prompt == (
        "<|im_start|>user\nСоставь иск.\n\nФактические обстоятельства:\nФакты дела.<|im_end|>\n"
        "<|im_start|>assistant\n<think>\n\n</think>\n\n"
    )
    # identical to what generation does with the template directly
    direct = tokenizer.apply_chat_template(
        build_messages("Составь иск.", "Факты дела."), tokenize=False, add_generation_prompt=True, enable_thinking=False
    )
    assert prompt == direct


def test_thinking_form_differs_so_the_flag_matters(tokenizer) -> None:
    thinking = tokenizer.apply_chat_template(
        build_messages("a", "b"), tokenize=False, add_generation_prompt=True, enable_thinking=True
    )
    assert "<think>" not in thinking and render_prompt(tokenizer, "a", "b") != thinking


def test_render_example_prompt_prefix_and_completion_end_at_im_end(tokenizer) -> None:
    example = render_example(tokenizer, "Составь иск.", "Факты.", "ИСКОВОЕ ЗАЯВЛЕНИЕ\nПРОШУ СУД: взыскать.")
    assert example.prompt == render_prompt(tokenizer, "Составь иск.", "Факты.")
    assert example.completion == "ИСКОВОЕ ЗАЯВЛЕНИЕ\nПРОШУ СУД: взыскать.<|im_end|>"
    # tokenising prompt and completion separately gives the generation prompt's ids, then the answer + <|im_end|>
    prompt_ids = tokenizer(example.prompt, add_special_tokens=False)["input_ids"]
    completion_ids = tokenizer(example.completion, add_special_tokens=False)["input_ids"]
    assert completion_ids[-1] == tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert tokenizer.decode(prompt_ids + completion_ids) == example.prompt + example.completion


def test_template_without_generation_prefix_falls_back_to_eos(tokenizer) -> None:
    class Plain:
        chat_template = (
            "{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}"
            "{% if add_generation_prompt %}[assistant]{% endif %}"
        )
        eos_token = "</s>"

        def apply_chat_template(self, messages, tokenize, add_generation_prompt, enable_thinking):
            from jinja2 import Template

            return Template(self.chat_template).render(messages=messages, add_generation_prompt=add_generation_prompt)

    example = render_example(Plain(), "i", "", "answer")
    assert example.prompt == "[user]i[assistant]"
    assert example.completion == "answer</s>"
    Plain.chat_template = Plain.chat_template.replace("[{{ m.role }}]", "<{{ m.role }}>")  # past turns differ
    example = render_example(Plain(), "i", "", "answer")
    assert example.prompt == "<user>i[assistant]" and example.completion == "answer</s>"


def test_missing_chat_template_is_a_config_error() -> None:
    class NoTemplate:
        chat_template = None

    with pytest.raises(ConfigError, match="no chat template"):
        render_prompt(NoTemplate(), "a", "b")
