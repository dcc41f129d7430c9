"""Where a streamed answer must end to be a good spoken answer (no Home Assistant imports).

Small models do not always stop by themselves. Stop sequences catch the next turn of the prompt's
own format, but a model can also invent a transcript in another style ("Question 3: …",
"User: …", "Utilisateur : …", a ChatML or Llama 2 marker inside a plain prompt) or talk on for a
minute. `SpokenAnswer` sits between llama-server's stream and Home Assistant and works the same
for every prompt format and persona:

- **A new turn ends the answer**: a control marker of any format, a short "Label:" at the start
  of a line (a speaker or a numbered question), or a role word followed by a colon right after a
  sentence ends. What came before is kept; the rest is never spoken.
- **A sentence budget**: an answer ends at the first sentence end once it has `max_sentences`
  sentences or `max_words` words, unless the user asked for more (an explanation, a story, a
  list, steps), which gets a larger budget.
- **Speakable text**: markdown emphasis, backticks and heading marks are dropped; a role label
  the model put at the very start ("Assistant: …") is removed.

Text is held back only while it could still turn out to be the start of a label or a marker
(a few characters at a line or sentence start), so streaming stays immediate.
"""

import re
from dataclasses import dataclass

# Control markers of ChatML, Llama 2, Gemma and common end-of-text spellings.
_MARKERS = ("<|", "|>", "[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "</s>", "<s>",
            "<start_of_turn>", "<end_of_turn>", "<eos>", "<bos>")  # fmt: skip
_MARKER = re.compile("|".join(re.escape(marker) for marker in _MARKERS), re.IGNORECASE)
# Speaker and Q/A words, in English and French, that open an invented turn.
_ROLE_WORD_LIST = ("user", "assistant", "system", "human", "ai", "bot", "question", "answer",
                   "response", "q", "a", "utilisateur", "assistante", "systeme", "système",
                   "réponse", "reponse", "humain")  # fmt: skip
_ROLE_WORDS = "|".join(_ROLE_WORD_LIST)
# What may label the answer's own start ("Assistant:", "Heisenberg :").
_LEADING_WORDS = (*_ROLE_WORD_LIST, "heisenberg")
# A label of one to three words (and maybe a number) at the start of a line: "User:",
# "Question 3:", "Heisenberg :", "Q:". A clock time ("10:30") starts with a digit: not a label.
_LABEL = r"[ \t]*[^\W\d_][\w'\u2019-]*(?:[ \t][^\W\d_][\w'\u2019-]*){0,2}[ \t]*\d{0,3}[ \t]*"
_LINE_LABEL = re.compile(rf"\n{_LABEL}:(?!\d)")
# A role word right after the end of a sentence on the same line: "… Paris. Question 2: …".
_INLINE_ROLE = re.compile(
    rf"(?<=[.!?…])[ \t]+(?:{_ROLE_WORDS})[ \t]*\d{{0,3}}[ \t]*:(?!\d)", re.IGNORECASE
)
# A role label the model wrote before its own answer.
_LEADING_ROLE = re.compile(
    rf"^\s*(?:{'|'.join(_LEADING_WORDS)})[ \t]*\d{{0,3}}[ \t]*:[ \t]*(?!\d)", re.IGNORECASE
)
# What can still become a line label (held at a line start) or a role label (after a sentence).
_PARTIAL_LINE_LABEL = re.compile(rf"(?:{_LABEL}|[ \t]*)")
_PARTIAL_INLINE_ROLE = re.compile(r"[ \t]+(?:[^\W\d_]{0,12}[ \t]*\d{0,3}[ \t]*)?")
# The end of a sentence: ., !, ? or … followed by a space or a line break (not "3.5", not "Dr.").
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bSt)(?<!\bMrs)(?<!\bMme)(?<!\bvs)"
    r"[.!?…]+[\"'»”)]*(?=\s)"
)
_ONE_WORD = re.compile(r"[^\W\d_]+[ \t]*\d{0,3}[ \t]*")
_MARKDOWN = re.compile(r"\*\*|__|`+|^[ \t]*#{1,6}[ \t]*", re.MULTILINE)

# Requests that deserve more than a few sentences.
_WANTS_MORE = re.compile(
    r"\b(?:explain|describe|tell me (?:about|a story|more)|story|in detail|details?|list|steps?|"
    r"how (?:do|can|should) i|recipe|summari[sz]e|"
    r"expliqu\w*|décri\w*|decri\w*|raconte\w*|histoire|en détail|détaill\w*|liste\w*|étapes?|"
    r"comment (?:faire|puis-je|je peux)|recette|résum\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Budget:
    """How long an answer may run before it ends at the next sentence end."""

    max_sentences: int
    max_words: int


SHORT = Budget(max_sentences=3, max_words=30)
LONG = Budget(max_sentences=12, max_words=180)


def budget_for(request: str) -> Budget:
    """A few sentences, unless the request asks for an explanation, a story, a list…"""
    return LONG if _WANTS_MORE.search(request) else SHORT


class SpokenAnswer:
    """Feed it the streamed pieces; it returns what may be spoken and says when to stop."""

    def __init__(self, budget: Budget = SHORT) -> None:
        self._budget = budget
        self._received = ""  # the answer so far (after a leading role label is removed)
        self._released = 0  # how much of it has been returned
        self._started = False
        self._spoken = ""
        self.done = False  # the answer is complete: stop reading the stream

    @property
    def text(self) -> str:
        """What has been returned so far, trimmed."""
        return self._spoken.strip()

    def feed(self, piece: str) -> str:
        """Add a streamed piece; return the text that can be spoken now ('' if none)."""
        if self.done:
            return ""
        self._received += piece
        if not self._started:
            start = self._received.lstrip()
            if not start or _may_become_leading_role(start):
                return ""  # it could still be "Assistant:"
            self._received = _LEADING_ROLE.sub("", start, count=1)
            self._started = True
        return self._release(final=False)

    def finish(self) -> str:
        """The stream ended: the held text that turned out to be fine."""
        if self.done:
            return ""
        if not self._started:
            self._received = _LEADING_ROLE.sub("", self._received.lstrip(), count=1)
        return self._release(final=True)

    def _release(self, final: bool) -> str:
        text = self._received
        cut = _first_cut(text, max(0, self._released - 40))
        if cut is not None:
            end, self.done = max(cut, self._released), True
        elif final:
            end, self.done = len(text), True
        else:
            end = max(_held_tail(text), self._released)
        if (budget_end := self._budget_end(text, end, final)) is not None:
            end, self.done = budget_end, True
        ready = _MARKDOWN.sub("", text[self._released : end])
        self._released = end
        if not self._spoken:
            ready = ready.lstrip()
        if self.done:
            ready = ready.rstrip()
        self._spoken += ready
        return ready

    def _budget_end(self, text: str, end: int, final: bool) -> int | None:
        """The sentence end within text[:end] where the budget runs out, if any."""
        scan = text + " " if final else text
        sentences = 0
        for match in _SENTENCE_END.finditer(scan, 0, min(len(scan), end + 1)):
            if match.end() > end:
                break
            sentences += 1
            if match.end() <= self._released:
                continue
            words = len(text[: match.end()].split())
            if sentences >= self._budget.max_sentences or words >= self._budget.max_words:
                return match.end()
        return None


def _may_become_leading_role(start: str) -> bool:
    """Whether the answer's first characters may still become a role label ("Assistant:").
    Only a role word (or the start of one) waits: "The" goes out at once, a token sooner
    (0.2 s with the default model on 2 cores)."""
    if not _ONE_WORD.fullmatch(start):
        return False
    word = start.rstrip(" \t0123456789").lower()
    return any(role.startswith(word) for role in _LEADING_WORDS)


def _first_cut(text: str, start: int) -> int | None:
    """Where an invented turn starts in `text` (searching from `start`), if it does."""
    found = [
        m.start() for rx in (_MARKER, _LINE_LABEL, _INLINE_ROLE) if (m := rx.search(text, start))
    ]
    return min(found) if found else None


def _held_tail(text: str) -> int:
    """The index from which `text` must wait for more (it may still become a cut)."""
    hold = len(text)
    # The tail may be the start of a control marker ("</s" of "</s>").
    lowered = text[-16:].lower()
    for start in range(len(lowered)):
        if any(m.lower().startswith(lowered[start:]) for m in _MARKERS):
            hold = min(hold, len(text) - len(lowered) + start)
            break
    newline = text.rfind("\n")
    if newline >= 0 and _PARTIAL_LINE_LABEL.fullmatch(text, newline + 1):
        hold = min(hold, newline)
    for match in _SENTENCE_END.finditer(text, max(0, len(text) - 40)):
        if _PARTIAL_INLINE_ROLE.fullmatch(text, match.end()):
            hold = min(hold, match.end())
            break
    # Markdown marks may continue in the next piece ("*" then "*").
    marks = len(text) - len(text.rstrip("*_`"))
    hold = min(hold, len(text) - marks)
    # A sentence end needs the next character to be sure ("3." may become "3.5").
    if text and text[-1] in ".!?…":
        hold = min(hold, len(text) - 1)
    return hold
