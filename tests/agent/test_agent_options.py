"""An agent's settings: what a new agent is saved with, and how stored data is read back."""

from custom_components.heisenberg.agent_options import DEFAULT_AGENT_OPTIONS, AgentOptions
from custom_components.heisenberg.prompt_format import PromptFormat


def test_a_new_agent_is_saved_with_every_default_and_assist() -> None:
    # Spelled out: saved subentries hold these exact keys and JSON values.
    assert DEFAULT_AGENT_OPTIONS == {
        "llm_hass_api": ["assist"],
        "persona": "default",
        "prompt_format": "auto",
        "temperature": 0.7,
        "top_p": 0.9,
        "top_k": 40,
        "min_p": 0.2,
        "max_tokens": 512,
        "repeat_penalty": 1.1,
        "timeout": 30,
        "max_history_turns": 5,
    }
    # Plain JSON types: no enum member, and whole numbers stay whole.
    assert type(DEFAULT_AGENT_OPTIONS["prompt_format"]) is str
    assert type(DEFAULT_AGENT_OPTIONS["timeout"]) is int


def test_stored_data_reads_back_to_the_same_settings() -> None:
    assert AgentOptions.from_data(DEFAULT_AGENT_OPTIONS) == AgentOptions(llm_hass_api=("assist",))
    custom = AgentOptions(persona="custom", custom_prompt="Be brief.", top_k=10)
    assert AgentOptions.from_data(custom.as_data()) == custom


def test_missing_or_unknown_values_fall_back_to_the_defaults() -> None:
    # An agent saved before device control existed has no API key: it controls nothing.
    assert AgentOptions.from_data({}) == AgentOptions()
    assert AgentOptions.from_data({}).llm_hass_api == ()
    assert AgentOptions.from_data({"prompt_format": "nonsense"}).prompt_format is PromptFormat.AUTO
    assert AgentOptions.from_data({"llm_hass_api": "assist"}).llm_hass_api == ("assist",)
