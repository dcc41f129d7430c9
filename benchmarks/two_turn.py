"""Two-turn dialogs: a question, then a follow-up that only makes sense with its answer.

    .venv/bin/python -m benchmarks.answer_quality --set two-turn --ha-language other

The follow-ups are the kinds people say to a voice assistant: the same question about
something else ("And of Austria?"), arithmetic on the answer ("Now multiply that by two."), a
property of what the answer named ("Which country is it in?"), the answer in other units ("And
in Fahrenheit?"). Fourteen per language, written as ordinary cases (none shared with
questions.py); the French ones are not translations of the English ones. A dialog is scored on
its second answer (expected words, as answer_quality scores); the first answer is asked for
real, in the same conversation, and its own score is printed too.
"""

from .questions import Question

EN, FR = "en", "fr"


def _dialog(language: str, first: str, follow_up: str, *expected: str) -> Question:
    return Question(language, "two-turn", follow_up, expected, after=(first,))


DIALOGS: tuple[Question, ...] = (
    _dialog(EN, "What is the capital of Germany?", "And of Austria?", "Vienna"),
    _dialog(EN, "What is six times seven?", "Now multiply that by two.", "84", "eighty-four", "eighty four"),
    _dialog(EN, "Which city is the Colosseum in?", "And in which country?", "Italy"),
    _dialog(EN, "How many legs does a spider have?", "And an ant?", "six", "6"),
    _dialog(EN, "Who wrote Hamlet?", "What nationality was he?", "English", "British", "England"),
    _dialog(EN, "At what temperature does water boil in Celsius?", "And in Fahrenheit?", "212"),
    _dialog(EN, "How many minutes are in an hour?", "And in a whole day?", "1440", "1,440", "one thousand four hundred forty", "one thousand four hundred and forty"),
    _dialog(EN, "Which planet is famous for its rings?", "Which planet comes right after it, going away from the sun?", "Uranus"),
    _dialog(EN, "What is one hundred divided by four?", "And half of that?", "12.5", "twelve and a half", "twelve point five"),
    _dialog(EN, "What is the capital of Spain?", "What language do people speak there?", "Spanish"),
    _dialog(EN, "How many days are there in a week?", "And in four weeks?", "28", "twenty-eight", "twenty eight"),
    _dialog(EN, "Who painted the Mona Lisa?", "Which country was he from?", "Italy", "Italian"),
    _dialog(EN, "What is the tallest mountain in the world?", "On which continent is it?", "Asia", "Asian"),
    _dialog(EN, "What is nine plus six?", "Subtract five from that.", "10", "ten"),
    _dialog(FR, "Quelle est la capitale de la Belgique ?", "Et celle des Pays-Bas ?", "Amsterdam"),
    _dialog(FR, "Combien font huit fois neuf ?", "Multiplie ça par deux.", "144", "cent quarante-quatre", "cent quarante quatre"),
    _dialog(FR, "Dans quelle ville se trouve le Colisée ?", "Et dans quel pays ?", "Italie"),
    _dialog(FR, "Combien de pattes a un chien ?", "Et un oiseau ?", "deux", "2"),
    _dialog(FR, "Qui a écrit Les Misérables ?", "Quelle était sa nationalité ?", "française", "français", "France"),
    _dialog(FR, "Combien y a-t-il de minutes dans une heure ?", "Et dans deux heures ?", "120", "cent vingt", "cent-vingt"),
    _dialog(FR, "Quelle est la capitale du Japon ?", "Quelle langue parle-t-on là-bas ?", "japonais"),
    _dialog(FR, "Combien font soixante divisé par trois ?", "Et la moitié de ça ?", "10", "dix"),
    _dialog(FR, "Quel est le plus long fleuve de France ?", "Et dans quel océan se jette-t-il ?", "Atlantique"),
    _dialog(FR, "Quel animal est le roi de la jungle ?", "Sur quel continent vit-il ?", "Afrique"),
    _dialog(FR, "Combien de mois y a-t-il dans une année ?", "Et dans trois ans ?", "36", "trente-six", "trente six"),
    _dialog(FR, "Qui a peint La Joconde ?", "De quel pays venait-il ?", "Italie", "italien"),
    _dialog(FR, "Quelle est la capitale de l'Espagne ?", "Quelle est la monnaie de ce pays ?", "euro"),
    _dialog(FR, "À quelle température l'eau gèle-t-elle, en degrés Celsius ?", "Et en degrés Fahrenheit ?", "32", "trente-deux", "trente deux"),
)  # fmt: skip

# What the first turn of each dialog must contain (its own score, printed beside).
FIRST_ANSWERS: dict[str, tuple[str, ...]] = {
    "What is the capital of Germany?": ("Berlin",),
    "What is six times seven?": ("42", "forty-two", "forty two"),
    "Which city is the Colosseum in?": ("Rome",),
    "How many legs does a spider have?": ("eight", "8"),
    "Who wrote Hamlet?": ("Shakespeare",),
    "At what temperature does water boil in Celsius?": ("100", "hundred"),
    "How many minutes are in an hour?": ("60", "sixty"),
    "Which planet is famous for its rings?": ("Saturn",),
    "What is one hundred divided by four?": ("25", "twenty-five", "twenty five"),
    "What is the capital of Spain?": ("Madrid",),
    "How many days are there in a week?": ("7", "seven"),
    "Who painted the Mona Lisa?": ("Leonardo", "Vinci"),
    "What is the tallest mountain in the world?": ("Everest",),
    "What is nine plus six?": ("15", "fifteen"),
    "Quelle est la capitale de la Belgique ?": ("Bruxelles",),
    "Combien font huit fois neuf ?": ("72", "soixante-douze", "soixante douze"),
    "Dans quelle ville se trouve le Colisée ?": ("Rome",),
    "Combien de pattes a un chien ?": ("quatre", "4"),
    "Qui a écrit Les Misérables ?": ("Hugo",),
    "Combien y a-t-il de minutes dans une heure ?": ("60", "soixante"),
    "Quelle est la capitale du Japon ?": ("Tokyo",),
    "Combien font soixante divisé par trois ?": ("20", "vingt"),
    "Quel est le plus long fleuve de France ?": ("Loire",),
    "Quel animal est le roi de la jungle ?": ("lion",),
    "Combien de mois y a-t-il dans une année ?": ("12", "douze"),
    "Qui a peint La Joconde ?": ("Léonard", "Vinci"),
    "Quelle est la capitale de l'Espagne ?": ("Madrid",),
    "À quelle température l'eau gèle-t-elle, en degrés Celsius ?": ("0", "zéro"),
}
