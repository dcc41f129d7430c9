"""Where a streamed answer ends (SpokenAnswer), whatever the pieces' boundaries."""

import re

import pytest

from custom_components.heisenberg.spoken_answer import LONG, SHORT, SpokenAnswer, budget_for


def speak(text: str, request: str = "What is it?", pieces: str = "words") -> tuple[str, str]:
    """Feed `text` as a model would stream it; return (joined output, answer.text)."""
    chunks = list(text) if pieces == "chars" else re.findall(r"\s*\S+|\s+", text)
    answer = SpokenAnswer(budget_for(request))
    out = []
    for chunk in chunks:
        out.append(answer.feed(chunk))
        if answer.done:
            break
    else:
        out.append(answer.finish())
    return "".join(out), answer.text


@pytest.mark.parametrize("pieces", ["words", "chars"])
@pytest.mark.parametrize(
    ("streamed", "spoken"),
    [
        # plain-format transcript, in English and French
        ("The capital is Paris.\nUser: And Spain?\nAssistant: Madrid.", "The capital is Paris."),
        ("C'est Paris.\nUtilisateur : Et l'Espagne ?", "C'est Paris."),
        # an invented numbered exercise
        (
            "Spiders have eight legs.\n\nQuestion 3: How many legs?\nAnswer: 8",
            "Spiders have eight legs.",
        ),
        ("Eight legs. Question 2: What about ants?", "Eight legs."),
        ("Huit pattes. Réponse : huit.", "Huit pattes."),
        # control markers of ChatML, Llama 2 and Gemma, even inside another format
        ("Paris.<|im_end|>\n<|im_start|>user\nAnd Rome?", "Paris."),
        ("Paris. </s><s>[INST] And Rome? [/INST]", "Paris."),
        ("Paris.<end_of_turn>\n<start_of_turn>user", "Paris."),
        # an invented speaker with a made-up name, on its own line
        ("Rome is in Italy.\nMarco: Grazie!", "Rome is in Italy."),
        # a label the model put before its own answer is dropped, the answer kept
        ("Assistant: The capital is Paris.", "The capital is Paris."),
        ("Réponse : C'est Paris.", "C'est Paris."),
    ],
)
def test_an_invented_turn_is_cut(streamed: str, spoken: str, pieces: str) -> None:
    out, text = speak(streamed, pieces=pieces)
    assert text == spoken
    assert out.strip() == spoken


@pytest.mark.parametrize(
    "streamed",
    [
        "It is 10:30 now.\n10:45 is later.",
        "The ratio is 3:1 in most cases.",
        "Water boils at 100 degrees. It freezes at 0.",
        "It is 3.5 meters long. Dr. Smith measured it.",
    ],
)
def test_ordinary_text_is_kept(streamed: str) -> None:
    assert speak(streamed)[1] == streamed


def test_a_short_answer_ends_at_its_sentence_budget() -> None:
    text = "One. Two. Three. Four. Five."
    assert speak(text)[1] == "One. Two. Three."
    assert SHORT.max_sentences == 3


def test_a_long_sentence_run_ends_at_the_word_budget() -> None:
    sentence = "This sentence has exactly ten words in it, you see. "
    assert len(speak(sentence * 5)[1].split()) == 30


@pytest.mark.parametrize(
    "request_text",
    ["Explain how tides work.", "Tell me a story about a cat.", "Raconte-moi une histoire.",
     "Quelles sont les étapes pour faire du pain ?", "List the planets."],
)  # fmt: skip
def test_asking_for_more_gets_a_longer_budget(request_text: str) -> None:
    assert budget_for(request_text) is LONG
    text = " ".join(f"Sentence {n} is here." for n in range(8))
    assert speak(text, request_text)[1] == text


def test_markdown_is_not_spoken() -> None:
    assert speak("The **capital** is `Paris`.", pieces="chars")[1] == "The capital is Paris."


def test_text_streams_without_waiting_for_the_end() -> None:
    answer = SpokenAnswer()
    released = [answer.feed(piece) for piece in ("The", " capital", " of", " France", " is")]
    assert "".join(released).startswith("The capital of")
    assert not answer.done


@pytest.mark.parametrize(
    ("first", "released"),
    [
        ("The", "The"),
        ("La", "La"),
        ("Il", "Il"),
        ("Huit", "Huit"),
        ("Questions", "Questions"),
        # What may still become a role label waits for the next piece.
        ("Assistant", ""),
        ("Ass", ""),
        ("A", ""),
        ("Réponse ", ""),
        ("Question 3", ""),
        ("Heisenberg", ""),
    ],
)
def test_the_first_word_goes_out_at_once_unless_it_may_be_a_label(
    first: str, released: str
) -> None:
    assert SpokenAnswer().feed(first) == released


def test_nothing_but_a_label_is_an_empty_answer() -> None:
    assert speak("Assistant:")[1] == ""


def test_a_sentence_ending_in_a_number_counts() -> None:
    text = "I counted to 1. Then to 2. Then to 3. Then to 4."
    assert speak(text)[1] == "I counted to 1. Then to 2. Then to 3."
