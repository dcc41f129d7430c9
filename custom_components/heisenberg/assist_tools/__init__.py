"""Every Assist tool HA offers a turn, presented to a small model as calls it can only get right.

The pipeline of one turn, module by module:
- `catalog.py` reads the exposed home (entities, `groups.py`, the timers) and, through `verbs.py`,
  the actions this turn's tools can perform on each target (`home_target.py`);
- `request.py` analyses the request once (an order or a question, what it names, its language,
  the satellite's area; words in `words.py`, matching in `relevance.py`);
- `prompt.py` and `grammar.py` tell the model the targets and let it write only valid calls
  (`calls.py`), and `home.py` puts a turn's view together;
- `execute.py` checks each call against the request, runs it through HA's own tools and says
  what really happened (`speech.py`, `readings.py`).
"""
