"""Split Home Assistant's rendered system prompt into its stable and volatile parts.

`ChatLog.async_provide_llm_data` renders the persona's instructions, then the current date and
time (to the second), then any extra system prompt of the request. Left at the top of the prompt,
the clock would change the prompt's first bytes every turn and defeat llama-server's prompt
cache. So HA's date/time sentence is dropped (the agent writes its own, with the weekday and in
the conversation's language: `context_note.py`), and what followed it becomes part of the context
note placed just before the new message; everything before it is the stable prefix the warm-up
caches.
"""

import re

# HA's llm.DATE_TIME_PROMPT, rendered.
_DATE_TIME = re.compile(
    r"Current time is \d{1,2}:\d{2}(?::\d{2})?\. Today's date is \d{4}-\d{2}-\d{2}\."
)


def split_system_prompt(rendered: str, api_prompt: str = "") -> tuple[str, str]:
    """Return (stable instructions, what followed HA's date/time sentence: '' when nothing).

    With an LLM API, HA puts the API's prompt after the persona: it describes HA's tools and
    the satellite's area, which the agent replaces with its own device section and note, so
    it is left out; what follows it (an extra system prompt) is volatile.
    """
    if api_prompt and api_prompt in rendered:
        before, after = rendered.split(api_prompt, 1)
        return before.strip(), _DATE_TIME.sub("", after).strip()
    match = _DATE_TIME.search(rendered)
    if match is None:
        return rendered.strip(), ""
    return rendered[: match.start()].strip(), rendered[match.end() :].strip()
