"""The extractive answerer's sentence choice: the asked-for kind of answer comes first."""

from __future__ import annotations

import pytest

from rag.generators.extractive import ExtractiveGenerator
from rag.questions import expected_type, has_type
from rag.types import Hit

BORDER = Hit(
    "a", "x.txt", 1, 2, 1.0,
    "Finland doubled the length of the alliance's border with Russia when it became the 31st member. "
    "He pointed out the significance of their 1,350-kilometer shared border.",
    "",
)


def test_a_sentence_with_the_asked_for_measure_leads_over_one_that_only_repeats_the_question():
    picker = ExtractiveGenerator(embed=None, idf=lambda term: 1.0)
    chosen = picker.select("How long is the border that Finland shares with Russia?", [BORDER])
    assert "1,350-kilometer" in chosen[0][1]


@pytest.mark.parametrize(
    "question, sentence, expected",
    [
        ("How long is the border?", "Their 1,350-kilometer shared border.", True),
        ("How long is the border?", "Finland became the 31st member.", False),
        # a count of people or a sum of money is no length
        ("How long is the border?", "A Ukrainian group in the amount of 20 people crossed it.", False),
        ("How far did the convoy travel?", "The convoy cost $5 million.", False),
        ("How long is the border?", "They share a 1,350-kilometer border.", True),
        ("How long did the talks last?", "The talks lasted three days.", True),
        # an age is written as news writes it: after the name between commas, "aged", "-year-old"
        ("How old was Debra Messing?", "On Monday, Messing, 50, tweeted at Sarandon.", True),
        ("How old was Cummings when he died?", "Cummings died aged 68 in Baltimore.", True),
        ("How old was Cummings when he died?", "He was 68.", True),
        ("How old was Cummings when he died?", "Rep. Elijah Cummings Dead At 68", True),
        # a measure that is no age does not answer "how old"
        ("How old was Cummings when he died?", "Cummings practised law for almost two decades.", False),
        # a birthday or an anniversary is an ordinal
        ("Which birthday would McCain have celebrated?", "He would have turned 83 on his 83rd birthday.", True),
        ("Which anniversary did they mark?", "They marked their fortieth anniversary.", True),
        ("Which anniversary did they mark?", "They marked the anniversary in Paris.", False),
        ("How old was Cummings when he died?", "Cummings, a Democrat, died in Baltimore.", False),
        ("How many soldiers were there?", "It was the 31st member.", False),
        ("How many soldiers were there?", "About 20 soldiers crossed.", True),
        # a number must count what is asked about: 20 people are not the soldiers asked for
        ("How many soldiers were there?", "About 20 people crossed.", False),
        ("How many new models of its A15 mainframe did Unisys launch?",
         "Unisys is offering eight new models of its A15 mainframe.", True),
        ("How many industries does the committee represent?", "It represents 27 large, energy-intensive industries.", True),
        # the question's own number and a year are not an answer
        ("How many Turkish warships escorted the Sismik 1?", "The Sismik 1 sailed in 1987 with warships.", False),
        ("How much did Volkswagen provide for losses?", "It set aside up to 480 mln marks.", True),
        # a question about money wants an amount of money, and not the one the question gives
        ("How much did SBI pay for its 49% stake in Yes Bank?", "The plan entails SBI buying a 49% stake.", False),
        ("How much did SBI pay for its 49% stake in Yes Bank?", "SBI will invest Rs 7,250 crore in Yes Bank.", True),
        ("How much did it cost to build the 1,000-bed hospital?", "The 1,000-bed hospital has 250 ICU beds.", False),
        ("How much did it cost to build the 1,000-bed hospital?", "It cost 12 crore rupees to build.", True),
        ("How much cash is UAL handing over?", "UAL will pay 632.5 mln dlrs cash.", True),
        ("How much did the party cost?", "It cost two million dollars, the organisers said.", True),
        ("How much did the party cost?", "Two hundred guests came to the party.", False),
        ("How much damages are the families seeking?", "The parents of 16-year-old Adam Raine sued.", False),
        ("How much is the quarterly dividend?", "Currency gains amount to about 40 cts per share.", True),
        # what is counted: the noun phrase's head or its first word, up to a comma; "-point" counts
        ("How many cities now mark Indigenous Peoples Day?", "More than 130 cities observe it.", True),
        ("How many UAL shares come with it?", "UAL will pay 2,564,000 shares of UAL stock.", True),
        ("How many points are in her plan?", "She released a 137-point plan.", True),
        ("How many liquor shops, not counting those in malls, were there?", "There are around 450 liquor shops.", True),
        ("In how many languages were the videos?", "They are in 24 different Indian and foreign languages.", True),
        ("How many people died in the shootings?", "The shootings claimed at least 31 lives.", True),
        # "how many of X's flights" counts flights
        ("How many of Air India's flights were cancelled?", "Air India cancelled 38 flights.", True),
        ("How many of Air India's flights were cancelled?", "Air India has 38 aircraft.", False),
        # a time is a date, a weekday, a year or a clock time, not any digit
        ("When will the trust pay its holders?", "It will pay holders on April 8.", True),
        ("When will the trust pay its holders?", "UAL will pay 632.5 mln dlrs cash.", False),
        ("In what year did Finland become a NATO member?", "Finland's 2023 NATO membership.", True),
        ("In what year did Finland become a NATO member?", "Finland became Nato's 31st member on Tuesday.", False),
        ("Which First Boston analyst recommended Texaco?", "First Boston analyst William Randol recommended it.", True),
        ("Which First Boston analyst recommended Texaco?", "First Boston recommended Texaco shares.", False),
        # a month is no name: the study group of "WASHINGTON, March 2 - A study group said" is unnamed
        ("Which study group urged a bigger reserve?", "WASHINGTON, March 2 - A study group said so.", False),
        # an organisation of two words is no person; a date asks for a day of a month
        ("Who are the two lawyers representing the whistleblower?", "The Supreme Court heard the whistleblower.", False),
        ("Who are the two lawyers representing the whistleblower?", "Andrew Bakaj and Mark Zaid represent him.", True),
        ("On what date is Rachel Reeves due to deliver her budget?", "Tuesday was Rachel Reeves's turn.", False),
        ("On what date is Rachel Reeves due to deliver her budget?", "Come 26 November, she will get an easier ride.", True),
        ("On what date is Rachel Reeves due to deliver her budget?", "The budget of 2025 is due.", False),
        # without capitals a name cannot be seen, so a lower-cased sentence is not ruled out
        ("who predicted a dynasty", "the trumps will be a dynasty, brad parscale said.", True),
        # "what price / what did it cost": any sum the question does not give, a currency's country too
        ("What price did Daiwa pay for its seat?", "It paid 361,000 Canadian dlrs, the highest price ever.", True),
        ("What price did Daiwa pay for its seat?", "Daiwa bought the seat, the exchange said.", False),
        ("What did the state dinner cost?", "The Morrisons were feted with a formal state dinner.", False),
        ("What did the landslide cost the canal?", "The landslide cost the canal 15 mln dlrs.", True),
        # "what net profit / what dividend": a number told with that word, not the turnover's
        ("What net profit did Porsche report for 1986/87?", "Turnover fell six pct to 1.71 billion marks.", False),
        ("What net profit did Porsche report for 1986/87?", "Net profit rose 12 pct to 45.6 mln marks.", True),
        ("What revenue gap does TVA expect?", "It means a revenue shortfall of about 250 mln dlrs.", True),
        ("What dividend did Bayer propose?", "Bayer proposed a 10-mark dividend.", True),
        # a time still to come is not the date the story was filed, nor a time gone by
        ("When will Unisys start shipping the models?", "DETROIT, April 7 - Unisys said it offers new models.", False),
        ("When did Unisys announce the models?", "DETROIT, April 7 - Unisys said it offers new models.", True),
        ("When will the trust pay its holders?", "NEW YORK, March 26 - It will pay holders on April 8.", True),
        ("When is the trial set to begin?", "By Amy Russo 10/18/2019 05:15 pm ET The suit was reinstated.", False),
        ("When is the documentary set to premiere?", "He was diagnosed with a brain tumor last year.", False),
        ("When is the documentary set to premiere?", "It premieres on HBO next month.", True),
        # a percentage is any number the question does not give
        ("By what percentage did turnover fall?", "Domestic turnover fell 17 pct.", True),
    ],
)
def test_answer_types(question, sentence, expected):
    kind = expected_type(question)
    assert kind is not None
    assert has_type(sentence, kind, question) is expected


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Which doctor compared the conditions to torture facilities?", "person"),
        ("Which Bill Clinton accuser did George Conway compare her account with?", "person"),
        ("Which court revived the lawsuit?", "name"),
        # a status, a measure, a message is no name: "observer status", "tighter controls"
        ("Which status did Putin offer the Commonwealth of Independent States?", None),
        ("Which measures did the ministry announce?", None),
        ("Which Ukrainian foreign minister travelled to Brussels?", "person"),
        # an amount asked by its noun is a number; a role or a policy is not
        ("What net profit did Crime Control report for 1986?", "number"),
        ("What bail bond amount did the court set?", "number"),
        ("What did the White House state dinner cost?", "number"),
        ("What role did the envoy play?", None),
        # a question may open with any preposition: "until what date", "within how many days"
        ("Until what date did Sri Lanka extend its visa scheme?", "time"),
        ("Within how many days must staff forward the emails?", "number"),
        ("Near which village was the incursion stopped?", "name"),
        ("What did Trump say about costs?", None),
    ],
)
def test_what_which_asks_for(question, kind):
    assert expected_type(question) == kind


def test_a_multi_part_question_is_answered_from_the_article_that_answers_every_part():
    from rag.questions import split_parts

    assert split_parts("When and where were the next debates scheduled?") == [
        "When were the next debates scheduled", "where were the next debates scheduled"]
    # the first passage has a sentence for the first part only; the second article answers both
    other = Hit("b", "preview.txt", 1, 1, 1.0,
                "The next Democratic debates will be held after Detroit, the party said on Monday.", "")
    story = Hit("c", "schedule.txt", 1, 2, 0.9,
                "The next Democratic debates are scheduled for Sept. 12 and 13. "
                "They will take place in Houston at Texas Southern University.", "")
    picker = ExtractiveGenerator(embed=None, idf=lambda term: 1.0)
    chosen = picker.select("When and where were the next Democratic debates scheduled?", [other, story])
    assert {n for n, _text, _score in chosen} == {2}
    answer = " ".join(text for _n, text, _score in chosen)
    assert "Sept. 12" in answer and "Houston" in answer


def test_a_scene_before_the_question_is_no_part_and_a_part_with_a_pronoun_gets_the_subject():
    from rag.questions import split_parts

    # a phrase that sets the scene belongs to the question after it
    assert split_parts("In its final ruling, what duty did the U.S. leave on orange juice?") == [
        "In its final ruling, what duty did the U.S. leave on orange juice?"]
    assert split_parts("At the RBI's meeting in March 2020, by what vote did the committee cut the repo rate, and to "
                       "what level?") == ["At the RBI's meeting in March 2020, by what vote did the committee cut the repo rate",
                                          "to what level At the RBI's meeting in March 2020, by what vote did the committee "
                                          "cut the repo rate"]
    assert split_parts("When did Congress set up the system, and which appeals court struck down the rules?") == [
        "When did Congress set up the system", "which appeals court struck down the rules"]


def test_a_weaker_second_sentence_of_the_article_joins_only_a_best_one_without_the_answer():
    picker = ExtractiveGenerator(embed=None, idf=lambda term: 1.0)
    # the best sentence restates the question ("a study group"); the group's name follows
    study = Hit("a", "x.txt", 1, 3, 1.0,
                "A study group said the United States should increase its strategic petroleum reserve because of "
                "low oil prices. It was the Aspen Institute, in Colorado. Oil prices fell in March.", "")
    chosen = picker.select("Which study group urged the U.S. to build up its strategic petroleum reserve because "
                           "of low oil prices?", [study])
    assert [t for _n, t, _s in chosen][1] == "It was the Aspen Institute, in Colorado."
    # a one-fact question gets at most three sentences, all of the one article that answers best
    other = Hit("b", "y.txt", 1, 1, 1.0, "A study group said low oil prices will last. Aspen is in Colorado.", "")
    chosen = picker.select("Which study group urged the U.S. to build up its strategic petroleum reserve because "
                           "of low oil prices?", [study, other])
    assert len(chosen) == 3 and {n for n, _t, _s in chosen} == {1}  # "Aspen is in Colorado." is another story's
    # the best sentence names the person asked for: nothing weaker is added
    treaty = Hit("a", "x.txt", 1, 2, 1.0, "Pekka Haavisto handed the signed accession treaty to Antony Blinken in "
                 "Brussels. Peskov said the treaty signed in Brussels was a threat.", "")
    chosen = picker.select("Who handed the signed accession treaty to Antony Blinken?", [treaty])
    assert [t for _n, t, _s in chosen] == ["Pekka Haavisto handed the signed accession treaty to Antony Blinken in Brussels."]


def test_what_how_many_counts_is_the_noun_before_the_verb():
    from rag.questions import counted_noun

    assert counted_noun("How many of the 170 flights went to the UK?") == "flights"
    assert counted_noun("How many Turkish warships escorted the ship?") == "warships"
    assert counted_noun("How many people died in the shootings?") is None  # people: any count of them


def test_a_sentence_that_adds_a_rare_word_leads_over_one_that_restates_a_who_question():
    # train_wire_lower tw-163 as lower-cased text gives it: no capitals tell the name, its rarity does
    import rag.generators.extractive as ex

    rare = {"crenshaw": 9.0, "dan": 6.0}
    idf = lambda t: 10.0 if t == "" else rare.get(t, 3.0)  # noqa: E731 ("" is absent: the highest)
    passage = Hit("a", "x.txt", 1, 1, 1.0,
                  "a texas congressman argued with ocasio-cortez over abolishing the electoral college on saturday. "
                  "the republican in question was dan crenshaw, who wrote that the college protects small states.", "")
    q = "which texas congressman argued with ocasio-cortez over abolishing the electoral college?"
    picker = ExtractiveGenerator(embed=None, idf=idf)
    assert "crenshaw" in picker.select(q, [passage])[0][1]
    names = list(ex.SENTENCE_FEATURES)
    novel = [names.index(n) for n in ("novel_share", "novel_max", "novel_who", "novel_typed")]
    rows = picker.features(q, [passage], picker.candidates([passage]))
    assert rows[1, names.index("novel_who")] == pytest.approx(0.9)  # crenshaw: 9 of the highest 10
    assert rows[0, names.index("novel_who")] < rows[1, names.index("novel_who")]
    assert rows[1, novel].sum() > rows[0, novel].sum()


def test_a_question_for_someones_words_gets_the_sentence_after_one_that_only_restates_it():
    picker = ExtractiveGenerator(embed=None, idf=lambda term: 1.0)
    # the best sentence tells what happened; the one after it reports the minister's reason
    story = Hit("a", "x.txt", 1, 3, 1.0,
                "Union minister Gowda flew into Bengaluru and did not go into quarantine on Monday. "
                "He later said ministers holding responsible posts are exempt. Bengaluru had 200 cases.", "")
    question = "How did Union minister Gowda justify not going into quarantine in Bengaluru?"
    texts = [t for _n, t, _s in picker.select(question, [story])]
    assert texts[0].startswith("Union minister Gowda flew")
    assert "He later said ministers holding responsible posts are exempt." in texts
    # a question for a fact, not for words, is not given the reported reason
    fact = "When did Union minister Gowda fly into Bengaluru without going into quarantine?"
    assert "He later said ministers holding responsible posts are exempt." not in [
        t for _n, t, _s in picker.select(fact, [story])]
