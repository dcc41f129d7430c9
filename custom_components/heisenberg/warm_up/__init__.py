"""The warm-up: every agent's prompt prefix evaluated into every llama-server before it is asked.

- `languages`: the languages an agent will be asked in (each Assist pipeline's, HA's own);
- `prefixes`: what each agent's prefix is in each language, warmed at start and again when the
  devices, the pipelines or the date change;
- `slots`: which llama-server slot each prefix goes to (a warm one keeps its slot);
- `step`: one prefix evaluated, giving way to the questions asked meanwhile;
- `next_turn`: after each answer, the opening of the conversation's next turn.
"""

from .prefixes import async_rewarm_on_changes, async_warm_up_all, async_warm_up_server

__all__ = ["async_rewarm_on_changes", "async_warm_up_all", "async_warm_up_server"]
