"""Pick a prompt format for the loaded model (no Home Assistant imports).

llama-server's `/props` reports a ChatML template even for a model whose GGUF has none (its
fallback), so the template text alone proves nothing for ChatML. What does: whether the
format's control markers are single special tokens of the model's vocabulary. A Llama 2
template, on the other hand, is never the fallback, so it is trusted as it is (Llama 2's own
`[INST]` is ordinary text to its tokenizer).
"""

from collections.abc import Mapping
from typing import Any

from .llama_client import LlamaServerClient
from .prompt_format import PromptFormat

MARKERS = ("<|im_start|>", "<|im_end|>", "[INST]")


def chat_template(props: Mapping[str, Any]) -> str:
    """The chat template text the server reports ('' when none)."""
    template = props.get("chat_template") or ""
    return template if isinstance(template, str) else ""


def choose_format(template: str, single_token: Mapping[str, bool]) -> PromptFormat:
    """The format from the template and which markers are single tokens of the vocabulary."""
    if single_token.get("<|im_start|>") and single_token.get("<|im_end|>"):
        return PromptFormat.CHATML
    if "[INST]" in template or single_token.get("[INST]"):
        return PromptFormat.LLAMA2
    return PromptFormat.PLAIN


async def detect_prompt_format(client: LlamaServerClient, props: Mapping[str, Any]) -> PromptFormat:
    """Ask the server's tokenizer, then choose: ChatML, Llama 2, or plain when unknown."""
    single_token = {marker: len(await client.tokenize(marker)) == 1 for marker in MARKERS}
    return choose_format(chat_template(props), single_token)
