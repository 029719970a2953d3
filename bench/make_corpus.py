#!/usr/bin/env python3
"""Synthetic news corpus with planted facts, for measuring retrieval quality at scale.

Writes N news-like plain-text articles to DIR/corpus/syn_000000.txt ... and an
evaluation file DIR/questions.jsonl in the format of shared/eval/dev.jsonl, so that
retrieval and answering can be measured on 1,000 to 100,000 articles, far more than
the real seed articles.

The articles imitate the scraped seeds: a title line, sometimes a publisher/date
line, paragraphs one per line (some articles with blank lines between them), curly
and straight quotes, attributions, numbers, dates and invented places, people,
companies and organisations, and sometimes a trailing boilerplate line. They are
built from templates over ten topics with recurring cities and organisations, so
every question has distractors that share its topic words.

Every article carries one or two planted facts (an entity, a place, a person and a
number or a name). Questions:
  qa            paraphrase a planted fact; `answer_must` holds the answer and the
                named entities of the question occur together in the gold file only;
  lookup (~10%) quote one sentence, verbatim or lightly altered, with `gold_lines`
                giving its 1-based line; the quote occurs in one line of the corpus;
  unanswerable (~5%) ask about an entity that occurs nowhere in the corpus.

Standard library only; the same seed, N and question count give byte-identical
output (independent of PYTHONHASHSEED).

    python bench/make_corpus.py --articles 10000 --out /tmp/syn10k [--seed 0] [--questions 200] [--check]
    python bench/make_corpus.py --out /tmp/syn10k --check      # check an existing directory

    from make_corpus import make_corpus, check_corpus
    corpus_dir, questions_path = make_corpus(10000, "/tmp/syn10k", seed=0, n_questions=200)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from random import Random

MIN_WORDS, MAX_WORDS = 150, 700
FILE_PATTERN = "syn_{:06d}.txt"
FILE_RE = re.compile(r"^syn_\d{6}\.txt$")
TOKEN_RE = re.compile(r"[^\W\d_]+")
PLACEHOLDER_RE = re.compile(r"\{([^{}]+)\}")
# A qa question may share at most this many consecutive words (names aside) with its gold file.
MAX_COPIED_RUN = 5

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ORDINAL_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                 "ninth", "tenth", "eleventh", "twelfth"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

FIRST_NAMES = """Mira Jonas Elena Tomasz Aiko Kwame Lucia Rafael Ingrid Dmitri Amara Henrik Sofia
Omar Leila Pavel Nadia Arjun Ines Viktor Hana Mateo Yusuf Greta Selin Bruno Olga Kofi Marta Teodor
Anja Emre Clara Ravi Zofia Lukas Noor Felix Dana Idris Petra Sami Vera Karim Lena Milan Aida Jasper
Rosa Tariq Eva Goran Maya Nils Irina Malik Ada Oskar Yara Stefan Liana Ivo Farah Kenji Nora Andrei
Siri Marco Asha Erik Daria Hugo Lina Bogdan Selma Tomas Amir Freya Joao Alma Diego Kaja Levan Rana
Anton Mei Otto Zara Ruben Ilse Kai Dalia Viggo Sana Oleg Tessa Emil Amina Jakub Elif Sven Naomi
Adrian Beatriz Cyril Dorota Esther Fatima Gideon Helga Ismail Jana Konrad Luka Magda Nikolai Olivia
Piotr Rahel Simon Tamar Ulrich Valeria Walid Xenia Yannick Zeynep Agnes Boris Chiara Dario Edith
Florin Gabriel Halima Igor Julia Kamil Laila Mikael Nina Orhan Paula Quentin Renata Samir Tilda""".split()

ONSETS = ("b br c ch d dr f g gr h j k kr l m n p pr r s sh st t tr v z sk sl w th").split()
VOWELS = "a e i o u a e o a i ei ou ai ia".split()
CODAS = ["", "", "", "", "n", "r", "l", "s", "m", "k", "nd", "rn", "st", "lt", "v", "rk"]
SOFT_CODAS = ["", "", "", "n", "r", "l", "s", "m"]

CITY_ENDINGS = ("ow holt berg mouth vik ford grad stad ica ara ene ino haven field burg ton mar "
                "dal sk ova itz heim by wick ac ora isse bridge").split()
COUNTRY_ENDINGS = "ia avia enia oria ovia ania esia undia".split()
SURNAME_ENDINGS = {
    "slavic": "enko ova ski ov ich ak escu ek vic".split(),
    "nordic": "sen son berg lund strom dahl vik gren holm".split(),
    "romance": "elli ini ez eira ardo ano etti oni ales".split(),
    "anglo": "ton well by worth ford ley man wood field".split(),
    "west": "ola emi ayo obi undu ani eke uzo".split(),
    "turkic": "oglu zadeh ian yan ari soy".split(),
}
KANA = ("ka ki ko ta to na ni no ma mi mo ha hi ho sa shi so ya yo ra ri ro wa da ke se su "
        "tsu mu").split()
COMPANY_ENDINGS = "anta ix ora on ex ia tek gen is ara el ium ova ent ar una".split()
DRUG_ENDINGS = "ib mab ol in ex ra ide azol ium umab".split()
COMPANY_SUFFIXES = {
    "economy": "Holdings Group Foods Steel Industries Textiles Motors Chemicals Logistics Retail".split(),
    "bank": "Bank Capital Securities Financial".split(),
    "energy": "Energy Power Renewables Gas Grid Utilities".split(),
    "health": "Pharma Therapeutics Biotech Medical".split(),
    "transport": "Logistics Shipping Rail Motors Aviation".split(),
    "science": "Labs Instruments Technologies Systems".split(),
    "sports": "Sports Apparel Gaming Media".split(),
    "culture": "Media Pictures Records Publishing".split(),
}
CURRENCIES = [("euros", "€"), ("dollars", "$"), ("crowns", ""), ("francs", ""), ("dinars", ""),
              ("marks", ""), ("pounds", "£")]
PARTIES = ["Democratic Union", "People’s Alliance", "Social Renewal Party", "Green Forum",
           "Liberal Movement", "Workers’ Front", "Civic Platform", "National Unity Party",
           "Centre Coalition", "Farmers’ League", "Progress Party", "Christian Democratic Union"]
FILM_ADJS = ("Silent Last Broken Northern Quiet Burning Distant Hidden Golden Winter Long Lost "
             "Empty Narrow Salt Iron Paper Second Bright Wild Small Blue Red Hollow").split()
FILM_NOUNS = ("Harbour River Summer Orchard House Border Letter Winter Garden Island Bridge Road "
              "Mountain Station Tide Lighthouse Season Kingdom Promise Factory Forest Shore Field "
              "Daughter Brother Island Market Crossing Frontier Valley").split()


# Three vowels or three consonants in a row, or a doubled vowel: "Hiaow", "Fumgaiica".
UNPRONOUNCEABLE = re.compile(r"[aeiou]{3}|[^aeiou\s-]{4}|aa|ii|uu|[^aeiou\s-]{3}$")


def _syllable(rng: Random, first: bool = False, soft: bool = False) -> str:
    onset = "" if first and rng.random() < 0.18 else rng.choice(ONSETS)
    return onset + rng.choice(VOWELS) + rng.choice(SOFT_CODAS if soft else CODAS)


def _stem(rng: Random, n: int, soft_end: bool = True) -> str:
    # Consonant clusters only in one-syllable stems, so longer names stay pronounceable.
    return "".join(_syllable(rng, first=(k == 0), soft=(n > 1 or soft_end)) for k in range(n))


class Namer:
    """Unique invented names: never an English word of the templates, never reused."""

    def __init__(self, rng: Random, reserved: set[str]):
        self.rng = rng
        self.used = set(reserved)

    def take(self, make, min_len: int = 4, max_len: int = 12) -> str:
        for _ in range(500):
            name = make(self.rng)
            low = name.lower()
            if (min_len <= len(name) <= max_len and low not in self.used
                    and not UNPRONOUNCEABLE.search(low.split()[0])):
                self.used.add(low)
                return name
        raise RuntimeError("name space exhausted")

    def city(self) -> str:
        return self.take(lambda r: (_stem(r, r.choice([1, 1, 2])) + r.choice(CITY_ENDINGS)).capitalize())

    def country(self) -> str:
        return self.take(lambda r: (_stem(r, r.choice([1, 2]), soft_end=True).rstrip("aeiou")
                                    + r.choice(COUNTRY_ENDINGS)).capitalize(), min_len=5)

    def surname(self) -> str:
        def make(r: Random) -> str:
            style = r.choice(list(SURNAME_ENDINGS) + ["kana", "kana"])
            if style == "kana":
                return "".join(r.choice(KANA) for _ in range(r.choice([3, 3, 4]))).capitalize()
            return (_stem(r, r.choice([1, 2])) + r.choice(SURNAME_ENDINGS[style])).capitalize()
        return self.take(make, min_len=4, max_len=13)

    def first_name(self) -> str:
        def make(r: Random) -> str:
            cons, vow = "b d f g h j k l m n p r s t v z".split(), "a e i o u".split()
            return (r.choice(cons) + r.choice(vow) + r.choice(cons) + r.choice(vow)
                    + r.choice(["", "", "", "n", "s", "a"])).capitalize()
        return self.take(make, min_len=4, max_len=7)

    def stem(self, endings: list[str]) -> str:
        return self.take(lambda r: (_stem(r, r.choice([1, 1, 2])) + r.choice(endings)).capitalize())


class Zipf:
    """Pick items with probability falling off by rank, so a few recur in many articles."""

    def __init__(self, items: list, s: float = 1.0, offset: float = 2.0):
        self.items = items
        self.cum = list(accumulate(1.0 / (r + offset) ** s for r in range(len(items))))

    def pick(self, rng: Random):
        return self.items[min(bisect(self.cum, rng.random() * self.cum[-1]), len(self.items) - 1)]


@dataclass
class Country:
    name: str
    adj: str
    currency: str
    symbol: str
    cities: list[str]
    city_zipf: Zipf
    officials: dict[str, str]


# --------------------------------------------------------------------------------------
# Templates. Written with curly quotes; articles in "straight" style are converted.
# Placeholders: {key} from the article context or the fact's slots; {#kind:args} inline.
# --------------------------------------------------------------------------------------

TOPICS: dict[str, dict] = {
    "economy": {
        "minister": ("the minister of finance", "Finance Minister"),
        "stories": [
            (["{cadj} inflation stays high as food and energy costs bite", "Prices keep rising in {country}"],
             "Consumer prices in {country} rose {#pct:1:9} percent in {month} from a year earlier, the national statistics office said on {weekday}, as higher food and energy costs continued to weigh on households."),
            (["{country}’s economy slows more than expected", "{cadj} growth weaker than forecast"],
             "{country}’s economy grew {#pct:0:3} percent in the last quarter, according to preliminary figures released on {weekday}, slower than most analysts had expected."),
            (["Central bank holds rates steady as {country} weighs slowing economy"],
             "The {cadj} central bank left its main interest rate unchanged at {#pct:2:8} percent on {weekday}, saying it wanted more evidence that inflation was under control before cutting borrowing costs."),
            (["Exporters in {city} warn of ‘difficult year’ as orders fall"],
             "Manufacturers in {city} reported a sharp drop in new orders in {month}, adding to signs that the {cadj} economy is losing momentum."),
            (["{official_t} {official_s} unveils plan to cut public deficit"],
             "{official_t} {official} on {weekday} presented a revised budget for {year} that aims to bring the deficit below {#pct:2:4} percent of economic output."),
            (["{company} shares slide as {cadj} growth outlook dims"],
             "Shares in {company} fell sharply on {weekday} after the company warned that weaker demand in {country} and abroad would hit its profits this year."),
        ],
        "body": [
            "Unemployment edged up to {#pct:4:12} percent, the highest level in {#int:2:6} years, with job losses concentrated in construction and retail.",
            "Analysts said the figures would put pressure on the government to do more to support small businesses in regions such as {city2} and {city3}.",
            "The currency weakened slightly against the dollar after the data were published.",
            "Retail sales fell {#pct:0:4} percent in {month} compared with the previous month, while industrial output was broadly flat.",
            "Wages have risen by an average of {#pct:2:7} percent over the past year, according to the statistics office.",
            "Economists at {bank} said they now expected the economy to expand by just {#pct:0:2} percent this year, down from an earlier forecast of {#pct:1:3} percent.",
            "Exports to {country2}, the country’s largest trading partner, fell by {#pct:2:15} percent in the first half of the year.",
            "Business groups have called for lower energy taxes, arguing that high costs are driving investment abroad.",
            "The central bank raised interest rates {#int:4:9} times between {#year:-4:-3} and {#year:-2:-1}.",
            "Small and medium-sized companies employ about {#int:55:75} percent of the workforce in {country}.",
            "Shares in {company} fell {#pct:1:9} percent in {capital} trading on {weekday}.",
            "{company} said it had no plans to reduce its workforce but would review its investment programme.",
            "House prices in {capital} have fallen for {#int:3:9} consecutive quarters, according to the national property register.",
            "Opposition lawmakers accused the government of failing to control public spending.",
            "The budget deficit is expected to reach {#pct:2:6} percent of gross domestic product this year.",
            "Trade unions have threatened strikes if public sector wages are frozen for a second year.",
            "Tourism revenue, a key source of income for coastal towns such as {city3}, rose {#pct:3:20} percent.",
            "Borrowing costs for the government have risen to their highest level in more than a decade.",
            "Farmers in the region around {city2} said rising fertiliser prices had cut their margins sharply.",
            "{bank} estimated that household spending would stay weak until at least the middle of next year.",
        ],
        "quotes": [
            "The economy is slowing, but we do not see a recession this year",
            "Households are still feeling the pain of high prices, and that will not change overnight",
            "We need to restore confidence among investors, and that starts with a credible budget",
            "Companies are holding back on hiring until they see where interest rates are going",
            "This is a difficult moment, but the fundamentals of our economy remain strong",
            "The figures are worse than we expected, and they show that the recovery is fragile",
            "We will not raise taxes on working families",
            "Our members are telling us that orders have dried up since the spring",
        ],
        "roles": [
            "chief economist at {bank}", "an analyst at {bank}",
            "the head of the {city} Chamber of Commerce",
            "president of the {cadj} Employers’ Association", "a spokesperson for {company}",
            "a professor of economics at the University of {city2}",
        ],
        "subheads": ["Weak demand", "Pressure on the budget", "Investors cautious"],
    },
    "sports": {
        "minister": ("the minister of sport", "Sports Minister"),
        "stories": [
            (["{club1} beat {club2} to move up in {league}", "{club1} extend unbeaten run"],
             "{club1} beat {club2} {#score} on {weekday} to climb to {#ordw:2:8} place in the {league}, extending their unbeaten run to {#int:4:11} matches."),
            (["{league} title race tightens after {club2} draw", "‘We were not good enough’: {club2} coach after home draw"],
             "{club2} were held to a {#draw} draw at home by {club1} on {weekday}, a result that leaves their hopes of a top-four finish in doubt."),
            (["{cadj} Football Federation orders review of refereeing"],
             "The {cadj} Football Federation on {weekday} announced a review of refereeing standards after a series of disputed decisions in the {league}."),
            (["{club1} fans protest against club owners"],
             "Thousands of {club1} fans gathered outside the {stadium} on {weekday} to protest against the club’s owners."),
            (["{club2} sack coach after {#int:3:7}-game losing run"],
             "{club2} dismissed their head coach on {weekday} after a run of defeats left the club close to the relegation places in the {league}."),
        ],
        "body": [
            "The visitors took the lead after {#int:5:30} minutes but conceded twice before half-time.",
            "A crowd of {#int:8000:52000} watched the match at the {stadium}.",
            "The result leaves {club2} {#int:2:12} points behind the leaders with {#int:5:14} games remaining.",
            "{club1} have now won {#int:3:8} of their last {#int:9:12} league matches.",
            "The club’s board said it would announce a decision on the coach’s future after the season.",
            "Season ticket prices at the {stadium} will rise by {#pct:5:20} percent next year.",
            "The federation fined {club2} {#money_small} for crowd trouble during a cup match in {city2} last month.",
            "The {league} season resumes on {#date} after the international break.",
            "{club1} were promoted to the top division in {#year:-8:-2}.",
            "Video replays appeared to show that the ball had crossed the line.",
            "Injuries to key defenders have forced the coach to change the line-up in recent weeks.",
            "The two clubs meet again in the cup semi-final on {#date}.",
            "Tickets for the return fixture in {city2} sold out within hours.",
            "The club’s top scorer has {#int:9:24} goals in all competitions this season.",
            "Police said {#int:3:40} people were detained after clashes between rival supporters near the ground.",
            "{club2} have not won away from home since {#month}.",
        ],
        "quotes": [
            "We were not good enough in the first half, and you cannot give a team like that so much space",
            "The players showed character today, and that is what I asked of them",
            "It’s a big win for us, but the season is far from over",
            "We have to look at ourselves and take responsibility",
            "The fans deserve better than what we gave them tonight",
            "I’m proud of the way we fought until the last minute",
            "Nobody at this club is thinking about the title yet",
        ],
        "roles": [
            "the head coach of {club1}", "{club2}’s coach", "the captain of {club1}",
            "president of the {cadj} Football Federation", "a spokesperson for {club2}",
            "sporting director at {club1}",
        ],
        "subheads": ["Late drama", "Coach under pressure", "Fans’ anger"],
    },
    "weather": {
        "minister": ("the minister of the interior", "Interior Minister"),
        "stories": [
            (["Heavy rain floods streets in {city} as storm sweeps across {country}", "Storm leaves thousands without power in {city}"],
             "Heavy rain and strong winds swept across {country} on {weekday}, flooding streets in {city} and disrupting rail services between {city2} and {city3}."),
            (["Weather service issues red warning as heatwave grips {city2} region", "Heatwave: {city2} braces for hottest day of the year"],
             "The {cadj} Meteorological Institute issued its highest weather warning for the {city2} region on {weekday}, urging residents to stay indoors as temperatures were forecast to exceed {#int:36:42} degrees Celsius."),
            (["Snow disrupts travel across northern {country}"],
             "Snowfall of up to {#int:20:60} centimetres blanketed parts of northern {country} overnight, closing schools and roads around {city}."),
            (["Farmers fear losses as dry spell continues around {city}"],
             "A prolonged dry spell has left rivers in southern {country} at their lowest levels in decades, officials in {city} said on {weekday}."),
        ],
        "body": [
            "Forecasters expect the unsettled weather to continue until at least {#weekday}.",
            "Several roads in the {city2} area were closed because of fallen trees.",
            "Emergency services said they had received more than {#int:200:2500} calls overnight.",
            "{railways} cancelled {#int:20:180} trains and warned passengers to expect further delays.",
            "Temperatures are expected to drop sharply later in the week, with frost possible in higher areas.",
            "The institute said the average temperature in {month} was {#dec:1:3} degrees above the long-term average.",
            "Local authorities opened temporary shelters in schools and sports halls in {city3}.",
            "Farmers said the rain had come too late to save much of this year’s harvest.",
            "Scientists say extreme weather events are becoming more frequent as the climate warms.",
            "Water levels on the {river} River rose by more than {#dec:1:3} metres in 24 hours.",
            "Flights at {city} airport were delayed by up to {#int:2:5} hours.",
            "Residents were advised to avoid unnecessary travel and to keep away from rivers and streams.",
            "The last comparable storm, in {#year:-12:-3}, caused damage estimated at {#money}.",
            "Power was restored to most homes by the evening, the grid operator said.",
            "Firefighters pumped water out of dozens of basements in the old town of {city}.",
        ],
        "quotes": [
            "We have not seen rain like this in many years",
            "People should stay at home unless their journey is absolutely necessary",
            "The ground is already saturated, so even moderate rain can cause flooding",
            "Our teams have been working through the night to clear the roads",
            "This heat is dangerous, especially for older people and young children",
            "We lost almost everything in the cellar",
        ],
        "roles": [
            "a forecaster at the {cadj} Meteorological Institute", "the mayor of {city}",
            "a spokesperson for the {city} Fire Service",
            "a climate scientist at the University of {city2}",
            "head of civil protection in {city2}", "a farmer near {city3}",
        ],
        "subheads": ["More rain expected", "Damage assessed", "Warnings in place"],
    },
    "courts": {
        "minister": ("the minister of justice", "Justice Minister"),
        "stories": [
            (["Former {city} deputy mayor jailed for corruption"],
             "A court in {city} on {weekday} sentenced a former deputy mayor to {#int:3:9} years in prison for accepting bribes in exchange for building permits, in one of the biggest corruption cases in the region in years."),
            (["Court rejects {company} appeal in investor case"],
             "The {court} on {weekday} rejected an appeal by {company} against a ruling that it had misled investors, clearing the way for thousands of shareholders to seek compensation."),
            (["Trial opens of businessman accused of tax evasion"],
             "The trial of a businessman accused of evading more than {#money} in taxes opened in {city} on {weekday} amid tight security."),
            (["Prosecutors charge suspects over health insurance fraud in {city2}"],
             "Prosecutors in {city2} have charged {#int:3:12} people over an alleged scheme to defraud the state health insurer, the prosecutor’s office said on {weekday}."),
            (["Judge orders release of {cadj} journalist"],
             "A judge in {city} on {weekday} ordered the release of a {cadj} journalist who had been held for {#int:2:9} months on charges of spreading false information, saying the evidence did not justify further detention."),
        ],
        "body": [
            "The defendant denied all charges, and defence lawyers said they would appeal.",
            "The court heard evidence from {#int:12:60} witnesses over {#int:3:14} months.",
            "Prosecutors said the money had been transferred through companies registered abroad.",
            "The judge said the sentence reflected the “serious breach of public trust”.",
            "The case has been closely followed in {country}, where several senior officials have faced investigations in recent years.",
            "A verdict is expected before the end of {month}.",
            "Under {cadj} law, the offence carries a maximum penalty of {#int:8:15} years in prison.",
            "The defence argued that the evidence had been obtained illegally.",
            "Anti-corruption campaigners welcomed the ruling but said more needed to be done.",
            "The court also ordered the confiscation of two properties in {city2}.",
            "The hearing was adjourned until {#date}.",
            "Several of the accused were released on bail pending trial.",
            "The {cadj} Supreme Court is expected to hear a final appeal next year.",
            "The investigation began in {#year:-4:-1} after a tip-off from a former employee.",
        ],
        "quotes": [
            "Nobody is above the law, whatever their position",
            "My client is innocent and we will prove it on appeal",
            "This ruling sends a clear message to anyone who abuses public office",
            "The court has ignored key evidence",
            "We respect the decision of the court, although we do not agree with it",
            "Justice has finally been done for the victims",
        ],
        "roles": [
            "the chief prosecutor in {city}", "a lawyer for the defence",
            "a spokesperson for the {court}", "a professor of law at the University of {city2}",
            "head of the {cadj} Bar Association", "a representative of the victims’ families",
        ],
        "subheads": ["Appeal planned", "Years of investigation", "Reaction"],
    },
    "science": {
        "minister": ("the minister of science and education", "Science Minister"),
        "stories": [
            (["{univ} scientists report battery breakthrough"],
             "Scientists at the {univ} say they have developed a new type of battery that can be charged in minutes, a development that could speed up the adoption of electric vehicles."),
            (["New study links traffic pollution to memory problems"],
             "Researchers in {country} have found that people living near busy roads are more likely to develop memory problems, according to a study published on {weekday}."),
            (["{cadj} space agency delays satellite launch"],
             "The {cadj} space agency said on {weekday} it would delay the launch of its next Earth observation satellite after engineers found a fault in the cooling system."),
            (["Rare owl spotted near {city} for first time in decades"],
             "A rare species of owl has been spotted in forests near {city} for the first time in almost {#int:30:70} years, ornithologists said on {weekday}."),
            (["Government boosts research funding"],
             "The {cadj} government will increase spending on scientific research by {#pct:3:12} percent next year, {official_t} {official} said on {weekday}."),
        ],
        "body": [
            "The findings still need to be confirmed by independent researchers.",
            "The study was funded by the {cadj} Research Council.",
            "The team analysed data collected over {#int:3:15} years from more than {#int:1000:20000} participants.",
            "The researchers plan to test the technology on a larger scale next year.",
            "Similar experiments carried out in {country2} produced mixed results.",
            "Funding for basic research in {country} has fallen in real terms since {#year:-10:-4}, according to the academy of sciences.",
            "The laboratory in {city2} employs around {#int:80:600} scientists and engineers.",
            "Independent experts described the results as promising but preliminary.",
            "The samples were analysed at a laboratory in {city3}.",
            "The project is part of a wider programme to develop cleaner industrial processes.",
            "Some scientists have questioned whether the results can be repeated outside the laboratory.",
            "The data will be made publicly available to other researchers.",
            "The agency has launched {#int:3:12} satellites since it was founded in {#year:-30:-12}.",
            "Field work in the area will resume in the spring, when the ground has thawed.",
        ],
        "quotes": [
            "This is the first time anyone has been able to show this effect so clearly",
            "We were surprised by how strong the link was",
            "There is still a lot of work to do before this can be used outside the lab",
            "Science needs stable funding, not promises that change every year",
            "It was a very emotional moment for the whole team",
            "These results open up a completely new line of research",
        ],
        "roles": [
            "a researcher at the {univ}", "a biologist at the University of {city2}",
            "director of the {cadj} Research Council", "a physicist who was not involved in the study",
            "head of the {cadj} space agency", "a professor of chemistry at the {univ}",
        ],
        "subheads": ["More research needed", "How the study worked", "Funding questions"],
    },
    "energy": {
        "minister": ("the minister of energy", "Energy Minister"),
        "stories": [
            (["{company} to shift investment to renewable energy"],
             "{company} said on {weekday} it would invest heavily in renewable energy over the next decade as it seeks to reduce its reliance on coal and gas."),
            (["Electricity bills in {country} to rise"],
             "Household electricity bills in {country} will rise from {#date}, the national energy regulator said on {weekday}, blaming higher wholesale prices and grid costs."),
            (["{cadj} government sets target for renewable power"],
             "The {cadj} government on {weekday} set a target of generating {#int:40:80} percent of the country’s electricity from renewable sources by {#year:5:12}."),
            (["{city} residents oppose planned gas pipeline"],
             "Residents of villages near {city} have launched a campaign against a planned gas pipeline, saying it would damage farmland and the local water supply."),
            (["Water utility warns of shortages in {city} this summer"],
             "The water utility in {city} warned on {weekday} that it may have to restrict supplies this summer after a dry winter left reservoirs well below normal levels."),
        ],
        "body": [
            "Wind and solar power accounted for {#pct:15:45} percent of electricity generation last year.",
            "The country still relies on imported gas for about a third of its energy needs.",
            "Grid operators have warned that the network needs billions in investment to cope with new solar parks.",
            "The regulator said it would review tariffs again in {#month}.",
            "Environmental groups said the plan lacked a clear timetable for phasing out coal.",
            "The pipeline would run for {#int:80:420} kilometres from the coast to {city2}.",
            "Energy-intensive industries such as steel and chemicals have been hit hardest by rising costs.",
            "{company} operates {#int:3:14} power plants across {country} and employs about {#int:1200:9000} people.",
            "Water consumption in {city} rose by {#pct:4:15} percent during the summer heatwave.",
            "The government offers subsidies of up to {#money_small} for households that install heat pumps.",
            "Several municipalities, including {city3}, have introduced their own energy-saving measures.",
            "Storage levels at the country’s gas facilities stood at {#int:55:95} percent at the start of {month}.",
            "Critics argue that nuclear power should play a bigger role in the energy mix.",
            "The project still needs approval from the environment ministry.",
        ],
        "quotes": [
            "We cannot keep asking households to pay for the failures of the energy market",
            "The transition to clean energy is not optional, it is an economic necessity",
            "Our network was never designed for this much solar power",
            "Prices will come down, but not as fast as people would like",
            "We have enough capacity for the winter, provided there are no major outages",
            "The pipeline is a threat to our land and our water",
        ],
        "roles": [
            "chief executive of {company}", "head of the national energy regulator",
            "a spokesperson for {company2}", "an energy analyst at {bank}",
            "director of the {city} Water Utility", "a campaigner with the group Clean Air {country}",
        ],
        "subheads": ["Cost to households", "Grid under strain", "Opposition"],
    },
    "politics": {
        "minister": ("the foreign minister", "Foreign Minister"),
        "stories": [
            (["{party} wins local election in {city}"],
             "The {party} won the most votes in local elections in {city} on {weekday}, dealing a blow to the governing coalition ahead of next year’s parliamentary vote."),
            (["Prime Minister {pm_s} faces confidence vote"],
             "Prime Minister {pm} will face a confidence vote in parliament next week after the {party2} withdrew from the governing coalition, officials said on {weekday}."),
            (["Opposition walks out of {cadj} parliament in protest"],
             "Opposition lawmakers walked out of the {cadj} parliament on {weekday} in protest against a bill that would give the government greater control over public broadcasting."),
            (["Coalition talks stall over budget dispute"],
             "Coalition talks in {country} broke down on {weekday} after the two largest parties failed to agree on spending plans for {year}."),
            (["{country} to hold early elections in {month}"],
             "President {president} on {weekday} called early parliamentary elections for {month}, after months of deadlock between the governing parties."),
        ],
        "body": [
            "Turnout was {#pct:38:72} percent, according to the electoral commission.",
            "The {party2} has {#int:20:90} seats in the {#int:120:300}-seat parliament.",
            "Polls suggest that no single party is likely to win a majority.",
            "President {president} must formally approve the new cabinet within {#int:10:30} days.",
            "The bill is expected to be put to a final vote before the summer recess.",
            "Thousands of people demonstrated in {capital} against the proposal on {#weekday}.",
            "The party has governed the city of {city2} since {#year:-16:-4}.",
            "Analysts said the result reflected growing frustration over living costs.",
            "The opposition has accused the government of undermining the independence of the courts.",
            "The coalition agreement includes plans to lower the voting age to 16.",
            "Campaigning has focused on housing, health care and migration.",
            "Several senior party members have called for a change of leadership.",
            "The electoral commission said final results would be published on {#date}.",
            "Observers from {#int:8:30} countries monitored the vote.",
        ],
        "quotes": [
            "The people have spoken, and we have heard them",
            "This government has lost the trust of the country",
            "We are ready to take responsibility and form a government",
            "This law is an attack on press freedom",
            "We will not be part of a coalition that ignores the needs of ordinary people",
            "Our door remains open for talks",
        ],
        "roles": [
            "leader of the {party}", "a member of parliament for the {party2}",
            "a political scientist at the University of {city2}", "the mayor of {city}",
            "a spokesperson for the electoral commission", "chairman of the parliamentary budget committee",
        ],
        "subheads": ["Coalition arithmetic", "What happens next", "Opposition reaction"],
    },
    "health": {
        "minister": ("the minister of health", "Health Minister"),
        "stories": [
            (["Hospitals in {city} under strain as flu cases rise"],
             "Hospitals in {city} are running at full capacity as a sharp rise in flu cases puts pressure on emergency departments, health officials said on {weekday}."),
            (["{country} launches nationwide measles vaccination campaign"],
             "{country} on {weekday} launched a nationwide campaign to vaccinate children against measles after a rise in cases in several regions."),
            (["Doctors strike over pay and working hours"],
             "Thousands of junior doctors across {country} walked off the job on {weekday} in a dispute over pay and working hours."),
            (["Waiting lists for surgery reach record high"],
             "The number of patients waiting for planned surgery in {country} has reached a record {#int:120000:480000}, according to figures released by the health ministry on {weekday}."),
            (["New cancer centre opens in {city}"],
             "A new cancer treatment centre opened in {city} on {weekday}, which health officials said would cut waiting times for patients across the region."),
        ],
        "body": [
            "Doctors advised people with mild symptoms to stay at home and avoid visiting emergency departments.",
            "The ministry said vaccination rates had fallen below the {#int:90:95} percent needed to prevent outbreaks.",
            "About {#int:300:4000} nurses are expected to retire over the next five years in the region alone.",
            "The {hospital} has postponed non-urgent operations until the end of {month}.",
            "Pharmacies in {city2} reported shortages of some common antibiotics.",
            "Health spending accounts for {#pct:6:11} percent of the country’s economic output.",
            "The union said its members were working an average of {#int:50:65} hours a week.",
            "Patients in rural areas often have to travel more than {#int:50:150} kilometres to see a specialist.",
            "The government has promised to hire {#int:1000:6000} additional health workers by {#year:1:3}.",
            "Most of the new cases were reported in children under the age of five.",
            "The health insurer said it would cover the cost of the new treatment from {#month}.",
            "Officials urged parents to check whether their children’s vaccinations were up to date.",
            "Ambulance response times in {city3} have increased by {#int:4:15} minutes on average since {#year:-3:-1}.",
            "A new emergency department is due to open in {city2} next year.",
        ],
        "quotes": [
            "Our staff are exhausted, and the winter has only just begun",
            "Vaccines are safe and they save lives",
            "We are not asking for privileges, we are asking for safe working conditions",
            "Every patient deserves to be treated on time",
            "The situation is serious but under control",
            "We cannot solve a shortage of doctors overnight",
        ],
        "roles": [
            "director of the {hospital}", "head of the {cadj} Medical Association",
            "an epidemiologist at the University of {city2}", "a spokesperson for the health ministry",
            "a nurse at the {hospital}", "chairman of the junior doctors’ union",
        ],
        "subheads": ["Staff shortages", "Advice for patients", "Government response"],
    },
    "transport": {
        "minister": ("the minister of transport", "Transport Minister"),
        "stories": [
            (["Rail strike disrupts travel across {country}"],
             "Train services across {country} were severely disrupted on {weekday} as railway workers staged a {#int:24:72}-hour strike over pay."),
            (["{airline} to add new routes from {city}"],
             "{airline} said on {weekday} it would open new routes from {city} next year as demand for air travel continues to recover."),
            (["{city} approves plans for new tram line"],
             "The city council of {city} on {weekday} approved plans for a new tram line linking the city centre with the northern suburbs."),
            (["Bridge closure causes traffic chaos in {city}"],
             "A key bridge in {city} was closed to traffic on {weekday} after inspectors found cracks in its supporting structure, causing long delays across the city."),
            (["Government unveils rail investment plan"],
             "The {cadj} government on {weekday} unveiled a plan to spend {#money_big} on modernising the rail network over the next decade."),
        ],
        "body": [
            "Only about one in five trains was running on the main line between {city} and {city2}.",
            "Passenger numbers on {railways} rose to {#int:80:260} million last year.",
            "The airport in {city} handled {#dec:2:19} million passengers last year.",
            "Commuters faced delays of up to {#int:30:120} minutes during the morning rush hour.",
            "The tram line is expected to carry about {#int:20000:90000} passengers a day.",
            "Engineers will carry out a full inspection before deciding whether the bridge can reopen.",
            "The transport ministry said ticket prices would rise by an average of {#pct:3:9} percent from {#month}.",
            "The union is demanding a pay increase of {#int:8:15} percent over two years.",
            "Bus services were added to replace some of the cancelled trains.",
            "The motorway between {city2} and {city3} is one of the busiest roads in the country.",
            "Cyclists’ groups said the plans did not include enough safe bike lanes.",
            "The rail network has suffered from decades of underinvestment, according to a report by the national audit office.",
            "Delays on the regional line to {city3} have become a daily problem for commuters.",
            "{airline} operates a fleet of {#int:20:140} aircraft.",
        ],
        "quotes": [
            "Passengers are paying more and getting less",
            "Safety comes first, and we will not reopen the bridge until we are sure it is safe",
            "This tram line will change the way people move around the city",
            "We regret the disruption, but our members have been left with no choice",
            "Demand is back, and we want to be ready for it",
            "We need a rail network fit for the next fifty years",
        ],
        "roles": [
            "chief executive of {airline}", "a spokesperson for {railways}", "leader of the {union}",
            "the deputy mayor of {city} responsible for transport",
            "a transport expert at the University of {city2}", "head of the passengers’ association",
        ],
        "subheads": ["Commuters frustrated", "Cost of the plan", "Unions respond"],
    },
    "culture": {
        "minister": ("the minister of culture", "Culture Minister"),
        "stories": [
            (["{festival} opens with record number of films"],
             "The {festival} opened on {weekday} with a record {#int:120:380} films in its programme, organisers said, as the event celebrates its {#nth:20:70} edition."),
            (["{museum} to return stolen painting"],
             "The {museum} said on {weekday} that it would return a painting stolen from a private collection in {city2} more than {#int:20:60} years ago."),
            (["{theatre} to close for renovation"],
             "The {theatre} will close for at least two years for a major renovation, its management announced on {weekday}."),
            (["Artists protest cuts to culture budget"],
             "Hundreds of artists and musicians protested in {capital} on {weekday} against planned cuts to the culture budget."),
            (["Novelist wins {cadj} literature prize"],
             "A debut novel about three generations of a fishing family has won {country}’s most important literary award, the jury announced in {capital} on {weekday}."),
        ],
        "body": [
            "Tickets for the opening night sold out within {#int:2:40} minutes.",
            "The museum attracted {#int:150000:1200000} visitors last year, a record.",
            "The building, which opened in {#year:-140:-40}, has not been renovated since the {#decade}.",
            "The festival’s budget this year is {#money_small}, most of it from sponsors.",
            "The exhibition will travel to {country2} next spring.",
            "Critics praised the production as one of the boldest of the season.",
            "The culture ministry said the cuts were necessary to balance the budget.",
            "The {orchestra} will give {#int:12:40} concerts during the season.",
            "The prize is awarded each year to a writer under the age of 40.",
            "The painting was identified by an art historian who saw it in an auction catalogue.",
            "Local musicians will perform free concerts in the old town square of {city} on {#weekday}.",
            "The theatre employs about {#int:150:600} people, including actors, musicians and technicians.",
            "Visitor numbers have returned to levels last seen before the pandemic.",
            "The film, shot in and around {city3}, tells the story of a family of fishermen.",
        ],
        "quotes": [
            "Culture is not a luxury, it is part of who we are",
            "We are delighted that the painting is finally going home",
            "This building deserves to be looked after for the next hundred years",
            "I wrote this book for my grandmother, who never learned to read",
            "The audience this year has been younger than ever",
            "Without public money, many small theatres will simply disappear",
        ],
        "roles": [
            "director of the {museum}", "artistic director of the {theatre}", "head of the {festival}",
            "a film critic for the {agency}", "chair of the artists’ union", "a curator at the {museum}",
        ],
        "subheads": ["A record year", "Budget worries", "What critics say"],
    },
}
TOPIC_NAMES = list(TOPICS)

GENERIC_BODY = [
    "The announcement came days after President {president} visited {city} and met local officials.",
    "Prime Minister {pm} is due to address parliament on the issue next week.",
    "Officials did not respond to a request for comment.",
    "Local media reported that the decision had been taken at a closed meeting on {#weekday}.",
    "The issue has become a source of tension between the government and the opposition.",
    "Critics say the plan does not go far enough.",
    "The measures are expected to take effect from {#date}.",
    "More details are expected to be announced later this month.",
    "The move was welcomed by business leaders in {city2} but criticised by environmental groups.",
    "It was not immediately clear how the plan would be financed.",
    "A similar proposal was rejected by lawmakers in {#year:-3:-1}.",
    "Residents of {city3} have complained for years about the lack of investment in the region.",
    "The {agency} reported that talks would continue on {#weekday}.",
    "Earlier, the ministry said that it would review the rules before the end of the year.",
    "The news was first reported by the {agency}.",
    "{city}, with a population of about {#int:80000:900000}, is the {#ordw:2:9} largest city in {country}.",
    "Speaking to reporters in {capital}, {official_t} {official} declined to give a timetable.",
    "The government has faced mounting criticism over its handling of the issue.",
    "In a statement, the ministry said it was “closely monitoring the situation”.",
    "Further talks are scheduled for {#date} in {city2}.",
    "According to a poll published by the {agency}, {#int:35:70} percent of respondents support the plan.",
    "The {cadj} parliament is expected to debate the matter in the autumn.",
    "The regional governor of {city2}, {#person}, said the area had been “forgotten” by the capital.",
    "The claims could not be independently verified.",
    "{official_t} {official} said the government would present its own proposals in {#month}.",
    "The figures do not include {city3}, where data collection was delayed.",
]
GENERIC_QUOTES = [
    "We will do everything necessary to protect people’s interests",
    "It is too early to draw any conclusions",
    "We are following the situation very closely",
    "This decision was not taken lightly",
    "Of course, this will take some time, it is not a one-time act",
    "We do not see any reason to change course now",
    "Everybody understands that the current situation cannot continue",
]
QUOTE_INTRO = [
    "“{Q},” said {P}, {R}.",
    "“{Q},” {P}, {R}, said on {weekday}.",
    "{P}, {R}, said: “{Q}.”",
    "“{Q},” {P}, {R}, told reporters in {city}.",
    "Speaking to reporters in {city}, {P}, {R}, said: “{Q}.”",
    "According to {P}, {R}, “{Q}.”",
]
QUOTE_AGAIN = [
    "“{Q},” {S} said.",
    "“{Q},” {S} added.",
    "{S} also said: “{Q}.”",
    "“{Q},” {S} said, noting that more details would follow.",
    "Asked about the criticism, {S} said: “{Q}.”",
    "“{Q},” {S} told reporters, adding that talks would continue.",
    "{S} further said the situation was being watched closely, noting: “{Q}.”",
    "“{Q}. {Q2},” {S} said.",
]
BOILERPLATE = [
    "Be First to Comment", "Subscribe", "Back to top button", "CommentsNo comment",
    "Share this article", "Related Articles", "Copyright © {year} {agency}. All rights reserved.",
    "Follow us on social media for the latest news.",
]
DISCLAIMER = ("Not all news on this site reflects the views of the site; articles are collected "
              "automatically and may be translated by software rather than by an editor.")

# --------------------------------------------------------------------------------------
# Planted facts. Each question names the fact's entities (every capitalised word of a
# question occurs in every text variant) and asks for one slot ("a+b": several groups).
# --------------------------------------------------------------------------------------

CHOICES: dict[str, list[tuple[str, list[str]]]] = {
    "product": [(p, [p]) for p in ["battery", "steel", "cement", "semiconductor", "glass",
                                    "fertiliser", "paper", "textile", "medicine", "solar panel"]],
    "quarter": [(q, [q]) for q in ["first", "second", "third", "fourth"]],
    "position": [(p, [p]) for p in ["midfielder", "striker", "defender", "goalkeeper", "winger"]],
    "job": [(j, [j]) for j in ["deputy mayor", "bank manager", "tax inspector", "hospital director",
                                "customs officer", "city councillor", "police chief"]],
    "crime": [("money laundering", ["laundering"]), ("taking bribes", ["bribe"]),
              ("tax evasion", ["tax evasion", "evading tax"]), ("fraud", ["fraud"]),
              ("embezzlement", ["embezzlement", "embezzling"]), ("arson", ["arson"]),
              ("smuggling cigarettes", ["smuggling"]), ("insider trading", ["insider trading"])],
    "violation": [("dumping waste into a river", ["waste"]), ("breaching safety rules", ["safety"]),
                  ("misleading customers about prices", ["misleading"]),
                  ("failing to pay overtime", ["overtime"]), ("price fixing", ["price fixing", "price-fixing"]),
                  ("illegal logging", ["logging"])],
    "item": [("copper cable", ["copper"]), ("medical equipment", ["medical equipment"]),
             ("luxury cars", ["cars"]), ("jewellery", ["jewellery", "jewelry"]),
             ("solar panels", ["solar panels"]), ("farm machinery", ["machinery"])],
    "taxon": [(t, [t]) for t in ["beetle", "frog", "orchid", "freshwater snail", "moth", "fern",
                                  "spider", "dragonfly"]],
    "facility": [("a quantum computing laboratory", ["quantum"]), ("a marine research station", ["marine"]),
                 ("a particle detector", ["detector"]), ("a seed bank", ["seed bank"]),
                 ("an earthquake monitoring network", ["earthquake"]), ("a supercomputer", ["supercomputer"]),
                 ("a greenhouse research centre", ["greenhouse"])],
    "habit": [(h, [h]) for h in ["walking", "cycling", "swimming", "gardening", "dancing",
                                  "eating fish", "drinking green tea"]],
    "condition": [("heart disease", ["heart disease"]), ("type 2 diabetes", ["diabetes"]),
                  ("dementia", ["dementia"]), ("stroke", ["stroke"]), ("depression", ["depression"]),
                  ("high blood pressure", ["blood pressure"])],
    "infection": [(d, [d]) for d in ["salmonella", "measles", "hepatitis", "listeria", "legionella",
                                      "norovirus", "tuberculosis"]],
    "source": [("a school canteen", ["canteen"]), ("contaminated tap water", ["tap water"]),
               ("a wedding reception", ["wedding"]), ("an air-conditioning system", ["air-conditioning", "air conditioning"]),
               ("a food market", ["market"]), ("raw milk cheese", ["cheese"])],
    "dept": [(d, [d]) for d in ["cardiology", "maternity", "oncology", "paediatric", "psychiatric",
                                 "rehabilitation", "intensive care"]],
    "chronic": [(c, [c]) for c in ["migraine", "asthma", "psoriasis", "arthritis", "eczema", "insomnia"]],
    "portfolio": [(p, [p]) for p in ["agriculture", "tourism", "housing", "labour", "defence",
                                      "environment", "digital affairs", "regional development"]],
    "budget_item": [(b, [b]) for b in ["school repairs", "cycle lanes", "social housing",
                                        "street lighting", "public parks", "flood defences"]],
}


def F(topic, slots, text, ask):
    return {"topic": topic, "slots": slots, "text": text, "ask": ask}


FACTS = [
    # ---- economy
    F("economy", {"company": "company", "n": "int:120:4800", "place": "city", "person": "ceo:company", "year": "year:1:3"},
      ["{company} will cut {n} jobs at its plant in {place} by the end of {year}, chief executive {person} said.",
       "Chief executive {person} said {company} would eliminate {n} positions at its factory in {place} by the end of {year}."],
      {"n": ["How many jobs is {company} planning to shed at its {place} site?",
             "What is the number of positions {company} intends to remove at its operations in {place}?"],
       "person": ["Who is the chief executive of {company}, the firm reducing staff in {place}?",
                  "Which {company} boss announced the job losses at the company's {place} site?"],
       "year": ["By when does {company} expect to finish reducing staff at its {place} site?",
                "What deadline has {company} set for the job losses in {place}?"]}),
    F("economy", {"company": "company", "company2": "company", "money": "money_big", "month": "month", "person": "ceo:company"},
      ["{company} agreed to buy {company2} for {money} in a deal expected to close in {month}, chief executive {person} said.",
       "In a deal expected to be completed in {month}, {company} will acquire {company2} for {money}, according to its chief executive {person}."],
      {"money": ["What price has {company} agreed to pay for {company2}?",
                 "How much is {company} paying to take over {company2}?"],
       "month": ["When is the takeover of {company2} by {company} expected to be finalised?",
                 "In which month should {company}'s purchase of {company2} be wrapped up?"],
       "person": ["Who runs {company}, the firm buying {company2}?",
                  "Which chief executive announced that {company} would take over {company2}?"]}),
    F("economy", {"company": "company", "product": "choice:product", "money": "money", "place": "city", "n": "int:150:3500", "person": "person"},
      ["{company} plans to invest {money} in a new {product} factory in {place} that will employ {n} people, {person}, the company’s head of operations, told reporters.",
       "A new {product} plant that {company} is building in {place} will cost {money} and create {n} jobs, said {person}, who runs the company’s operations."],
      {"money": ["How much will {company} spend on the {product} works it is setting up in {place}?",
                 "What investment is {company} making in its planned {product} site in {place}?"],
       "n": ["How many people will be employed at the {product} works {company} is opening in {place}?",
             "How many workers will {company}'s future {product} site in {place} need?"],
       "person": ["Which {company} executive spoke about the planned {product} site in {place}?",
                  "Who is in charge of operations at {company}, which is setting up {product} production in {place}?"]}),
    F("economy", {"company": "company", "money": "money", "quarter": "choice:quarter", "pct": "int:3:40", "person": "person"},
      ["{company} reported a net profit of {money} for the {quarter} quarter, up {pct} percent from a year earlier, finance director {person} said.",
       "Net profit at {company} rose {pct} percent year on year to {money} in the {quarter} quarter, according to finance director {person}."],
      {"money": ["What net income did finance chief {person} report for {company} in the {quarter} quarter?",
                 "How much profit did {company} make in the {quarter} three months of the year, as reported by {person}?"],
       "pct": ["By how much did {company}'s {quarter}-quarter earnings grow compared with a year before, according to {person}?",
               "What was the year-on-year increase in {company}'s profit reported by {person}?"]}),
    F("economy", {"place": "city", "partner": "country2", "money": "money", "person": "person"},
      ["The {place} Chamber of Commerce estimates that the new trade agreement with {partner} will add {money} a year to regional exports, its president {person} said.",
       "Regional exports could grow by {money} annually thanks to the trade deal with {partner}, according to {person}, president of the {place} Chamber of Commerce."],
      {"money": ["How much does the {place} Chamber of Commerce expect the {partner} trade pact to add to exports each year?",
                 "What annual boost to exports from the {partner} agreement does {person} of the {place} Chamber of Commerce predict?"],
       "person": ["Who heads the {place} Chamber of Commerce that commented on the {partner} trade pact?",
                  "Which president of the {place} Chamber of Commerce spoke about the agreement with {partner}?"]}),
    # ---- sports
    F("sports", {"person": "person", "club1": "org:club", "club2": "org:club", "score": "score", "place": "ordw:2:8", "league": "ctx:league", "stadium": "stadium"},
      ["{person} scored twice as {club1} beat {club2} {score} at the {stadium}, lifting the club to {place} place in the {league}.",
       "{club1} moved up to {place} in the {league} after a {score} win over {club2} at the {stadium}, with {person} scoring two of the goals."],
      {"score": ["By what score did {club1} defeat {club2} in the match in which {person} found the net two times?",
                 "What was the result of the {club1} win against {club2} that featured a brace from {person}?"],
       "person": ["Which player netted two goals for {club1} in the victory over {club2}?",
                  "Who got a brace for {club1} when they defeated {club2}?"],
       "place": ["Which position in the {league} did {club1} reach after defeating {club2}?",
                 "Where in the {league} table did {club1} climb to after their victory against {club2}?"]}),
    F("sports", {"club1": "org:club", "club2": "org:club", "position": "choice:position", "person": "person", "money": "money", "year": "year:2:5"},
      ["{club1} have signed {position} {person} from {club2} for a fee of {money}, on a contract that runs until {year}.",
       "{person}, the {position}, has joined {club1} from {club2} in a deal worth {money} and signed a contract until {year}."],
      {"money": ["How much did {club1} pay to bring {person} over from {club2}?",
                 "What was the transfer fee when {person} moved to {club1}?"],
       "year": ["Until what year is {person} tied to {club1}?",
                "When does the deal between {person} and {club1} expire?"],
       "club2": ["Which club did {person} leave to join {club1}?",
                 "From which team did {club1} recruit the {position} {person}?"]}),
    F("sports", {"club1": "org:club", "person": "person", "person2": "person", "years": "nword:2:4"},
      ["{club1} appointed {person} as head coach on a {years}-year contract, a week after dismissing {person2}, the club said.",
       "{club1} said it had hired {person} as head coach on a {years}-year deal, replacing {person2}, who was sacked last week."],
      {"person": ["Who has {club1} brought in as head coach to succeed {person2}?",
                  "Which coach did {club1} pick after firing {person2}?"],
       "person2": ["Which coach did {club1} sack before bringing in {person}?",
                   "Who did {person} succeed as manager of {club1}?"],
       "years": ["How long is the deal {person} signed to coach {club1}?",
                 "For how many years has {club1} committed to {person} as coach?"]}),
    F("sports", {"person": "person", "place": "city", "time": "time", "secs": "int:3:95", "person2": "person"},
      ["{person} won the {place} Marathon in {time}, a course record, finishing {secs} seconds ahead of {person2}.",
       "With a course record of {time}, {person} took victory at the {place} Marathon, {secs} seconds clear of runner-up {person2}."],
      {"time": ["What winning time did {person} clock at the {place} Marathon?",
                "How fast did {person} complete the {place} Marathon?"],
       "person2": ["Who came second behind {person} in the {place} Marathon?",
                   "Which athlete finished behind winner {person} at the {place} Marathon?"],
       "secs": ["What was the margin between {person} and {person2} at the {place} Marathon?",
                "By how many seconds did {person} beat {person2} in the {place} Marathon?"]}),
    F("sports", {"club1": "org:club", "stadium": "stadium", "n": "int:12000:65000", "money": "money", "person": "person", "year": "year:1:4"},
      ["The {stadium} will be expanded to hold {n} spectators by {year} at a cost of {money}, {club1} president {person} said.",
       "{club1} president {person} said the club would spend {money} enlarging the {stadium} to a capacity of {n} by {year}."],
      {"n": ["What will the capacity of the {stadium} be once {club1} finishes enlarging it?",
             "How many fans will the expanded {stadium} seat, according to the {club1} president?"],
       "money": ["How much will {club1} pay to enlarge the {stadium}?",
                 "What will the expansion of the {stadium} cost {club1}?"],
       "person": ["Who is the president of {club1}, the club enlarging the {stadium}?",
                  "Which {club1} official announced the expansion of the {stadium}?"]}),
    # ---- weather
    F("weather", {"storm": "storm", "mm": "int:60:320", "place": "city", "year": "year:-60:-8", "cadj": "ctx:cadj"},
      ["Storm {storm} dropped {mm} millimetres of rain on {place} in 24 hours, the highest total recorded there since {year}, according to the {cadj} Meteorological Institute.",
       "According to the {cadj} Meteorological Institute, {place} received {mm} millimetres of rainfall within a day as Storm {storm} passed, more than at any time since {year}."],
      {"mm": ["How much rain fell on {place} in a single day during Storm {storm}?",
              "What rainfall total did Storm {storm} bring to {place} over one day?"],
       "year": ["Since what year had {place} not had as much rain as during Storm {storm}?",
                "When had {place} last seen a downpour as heavy as Storm {storm}?"]}),
    F("weather", {"place": "city", "temp": "dec:36:45", "year": "year:-70:-3", "person": "person"},
      ["Temperatures in {place} reached {temp} degrees Celsius on {#weekday}, breaking a record set in {year}, meteorologist {person} said.",
       "Meteorologist {person} said the thermometer in {place} hit {temp} degrees Celsius on {#weekday}, beating the previous record from {year}."],
      {"temp": ["How hot did it get in {place} when meteorologist {person} reported a new record?",
                "What was the peak temperature in {place}, according to meteorologist {person}?"],
       "year": ["When was the earlier heat record in {place} set, according to meteorologist {person}?",
                "Which year's heat record in {place} was broken, according to {person}?"]}),
    F("weather", {"n": "int:150:9000", "place": "city", "river": "river", "person": "person"},
      ["About {n} residents of {place} were evacuated after the {river} River burst its banks, said {person}, a spokesperson for the local fire service.",
       "Fire service spokesperson {person} said some {n} people had to leave their homes in {place} when the {river} River overflowed."],
      {"n": ["How many people were moved out of {place} when the {river} River flooded?",
             "How many inhabitants of {place} had to be evacuated because of the {river} River?"],
       "river": ["Which river flooded and forced evacuations in {place}, according to {person}?",
                 "What river's flooding drove people from their homes in {place}, as reported by {person}?"],
       "person": ["Who spoke for the fire service about the evacuations in {place} caused by the {river} River?"]}),
    F("weather", {"place": "city", "money": "money", "place2": "city", "pct": "int:9:45", "person": "person"},
      ["The drought has cost farmers around {place} an estimated {money}, and the reservoir at {place2} is only {pct} percent full, regional agriculture official {person} said.",
       "Regional agriculture official {person} said farmers near {place} had lost about {money} to the drought, with the {place2} reservoir down to {pct} percent of capacity."],
      {"money": ["How much has the dry weather cost growers near {place}, according to {person}?",
                 "What losses from the drought did {person} estimate for farms around {place}?"],
       "pct": ["How full is the reservoir at {place2}, according to {person}?",
               "To what level has the {place2} reservoir fallen, according to agriculture official {person}?"]}),
    F("weather", {"kmh": "int:90:190", "n": "int:2000:90000", "place": "city", "company": "company:energy"},
      ["Wind gusts of up to {kmh} kilometres per hour knocked out power to {n} homes in {place}, grid operator {company} said.",
       "Grid operator {company} said {n} households in {place} lost electricity as gusts reached {kmh} kilometres per hour."],
      {"kmh": ["How strong were the gusts that cut electricity in {place}, according to {company}?",
               "What wind speeds did {company} report during the outage in {place}?"],
       "n": ["How many homes in {place} were left without electricity, according to {company}?",
             "How many households did {company} say were cut off in {place} during the storm?"]}),
    # ---- courts
    F("courts", {"court": "org:court", "person": "person", "job": "choice:job", "years": "int:3:14", "crime": "choice:crime", "person2": "person"},
      ["The {court} sentenced {person}, a former {job}, to {years} years in prison for {crime}, with judge {person2} presiding.",
       "Judge {person2} of the {court} jailed former {job} {person} for {years} years after a conviction for {crime}."],
      {"years": ["How long a prison term did the {court} hand to {person}?",
                 "How many years behind bars did {person} receive from the {court}?"],
       "person2": ["Which judge handed down the sentence against the former {job} {person}?",
                   "Who presided over the {court} case that ended with {person} being jailed?"],
       "crime": ["What offence was the former {job} {person} found guilty of by the {court}?",
                 "For what crime did the {court} imprison {person}?"]}),
    F("courts", {"place": "city", "company": "company", "money": "money", "violation": "choice:violation", "person": "person"},
      ["A court in {place} fined {company} {money} for {violation}, prosecutor {person} said.",
       "Prosecutor {person} said {company} had been ordered by a court in {place} to pay a fine of {money} for {violation}."],
      {"money": ["How large was the penalty imposed on {company} by the court in {place}?",
                 "How much must {company} pay after the ruling in {place} announced by prosecutor {person}?"],
       "violation": ["Why was {company} penalised by a court in {place}, according to {person}?",
                     "What did the court in {place} punish {company} for?"],
       "person": ["Which prosecutor announced the penalty against {company} in {place}?"]}),
    F("courts", {"person": "person", "crime": "choice:crime", "date": "date", "court": "org:court", "person2": "person"},
      ["The trial of {person}, who is accused of {crime}, will open on {date} at the {court}, defence lawyer {person2} said.",
       "Defence lawyer {person2} said the {court} would begin hearing the case against {person}, charged with {crime}, on {date}."],
      {"date": ["When will the trial of {person} begin at the {court}?",
                "On what date do proceedings against {person} start at the {court}?"],
       "person2": ["Who is defending {person} in the case before the {court}?",
                   "Which lawyer represents {person}, who faces charges at the {court}?"]}),
    F("courts", {"court": "org:court", "company": "company", "money": "money", "n": "int:40:1800", "person": "person"},
      ["The {court} ordered {company} to pay {money} in compensation to {n} former employees, their lawyer {person} said.",
       "Lawyer {person} said {n} former workers of {company} would share {money} in compensation under a ruling by the {court}."],
      {"money": ["How much compensation must {company} pay its former staff after the {court} ruling?",
                 "What sum did the {court} order {company} to pay to ex-employees?"],
       "n": ["How many ex-employees of {company} will receive compensation under the {court} decision?",
             "How many former staff won compensation from {company} at the {court}?"],
       "person": ["Which lawyer represented the former {company} workers at the {court}?"]}),
    F("courts", {"place": "city", "n": "int:3:19", "item": "choice:item", "money": "money_small", "person": "person"},
      ["Police in {place} arrested {n} people in connection with the theft of {item} worth {money}, police spokesperson {person} said.",
       "Police spokesperson {person} said {n} suspects had been detained in {place} over the theft of {item} valued at {money}."],
      {"n": ["How many suspects did officers in {place} detain over the stolen {item}, according to {person}?",
             "How many arrests were made in {place} after the {item} theft described by {person}?"],
       "money": ["What was the stolen {item} in {place} worth, according to police spokesperson {person}?"],
       "item": ["What was taken in the theft in {place} described by police spokesperson {person}?"]}),
    # ---- science
    F("science", {"univ": "org:univ", "person": "person", "n": "int:3:28", "taxon": "choice:taxon", "place": "city", "journal": "journal"},
      ["A team at the {univ} led by {person} has identified {n} previously unknown species of {taxon} in wetlands near {place}, according to a paper published in {journal}.",
       "Writing in {journal}, researchers from the {univ} under {person} described {n} new species of {taxon} found in the wetlands around {place}."],
      {"n": ["How many new {taxon} species did the group of {person} at the {univ} discover?",
             "How many previously undescribed kinds of {taxon} did researchers under {person} find near {place}?"],
       "journal": ["In which journal did the {univ} researchers led by {person} report the new {taxon} species?"],
       "person": ["Who led the {univ} group that discovered new species of {taxon} near {place}?"]}),
    F("science", {"univ": "org:univ", "money": "money", "cadj": "ctx:cadj", "facility": "choice:facility", "person": "person"},
      ["The {univ} has received {money} from the {cadj} Research Council to build {facility}, project leader {person} said.",
       "Project leader {person} said a grant of {money} from the {cadj} Research Council would allow the {univ} to build {facility}."],
      {"money": ["How much funding did the {univ} get from the {cadj} Research Council for the project led by {person}?",
                 "What was the size of the {cadj} Research Council award to the {univ} that {person} announced?"],
       "facility": ["What will the {univ} construct with its {cadj} Research Council money, according to {person}?"],
       "person": ["Which project leader announced the {cadj} Research Council grant for {facility} at the {univ}?"]}),
    F("science", {"cadj": "ctx:cadj", "sat": "satellite", "place": "city", "month": "month", "year": "year:1:3", "person": "person"},
      ["The {cadj} space agency will launch its {sat} satellite from {place} in {month} {year}, mission director {person} said.",
       "Mission director {person} said the {sat} satellite would lift off from {place} in {month} {year} on behalf of the {cadj} space agency."],
      {"month+year": ["When is the {sat} satellite due to go into orbit, according to {person}?",
                      "At what date is the launch of the {cadj} satellite {sat} planned?"],
       "person": ["Who is the mission director for the {cadj} satellite {sat}?"],
       "place": ["From which site will the {sat} satellite be sent into space, according to {person}?"]}),
    F("science", {"univ": "org:univ", "person": "person", "n": "int:800:24000", "yrs": "int:4:20", "habit": "choice:habit", "condition": "choice:condition", "pct": "int:12:45"},
      ["A {univ} study led by {person} that followed {n} adults for {yrs} years found that regular {habit} cut the risk of {condition} by {pct} percent.",
       "Regular {habit} lowered the risk of {condition} by {pct} percent among {n} adults tracked over {yrs} years, according to research by {person} at the {univ}."],
      {"pct": ["By how much did regular {habit} reduce the chance of {condition} in the research by {person}?",
               "What reduction in {condition} risk linked to {habit} did {person}'s team at the {univ} find?"],
       "n": ["How many adults took part in {person}'s {univ} study of {habit} and {condition}?"],
       "yrs": ["For how long were participants followed in {person}'s study on {habit} and {condition}?"]}),
    F("science", {"place": "city", "n": "int:15:90", "person": "person", "univ": "org:univ"},
      ["Archaeologists working near {place} have uncovered an ancient settlement dating back about {n} centuries, said {person}, who leads the excavation for the {univ}.",
       "The settlement found near {place} is roughly {n} centuries old, according to excavation leader {person} of the {univ}."],
      {"n": ["How old is the settlement unearthed near {place}, according to {person}?",
             "What age did {person} of the {univ} give for the ancient site discovered near {place}?"],
       "person": ["Who heads the {univ} excavation near {place}?"]}),
    # ---- energy
    F("energy", {"utility": "city", "money": "money", "place": "city", "person": "person"},
      ["The {utility} Water Utility will spend {money} on a new treatment plant in {place}, director {person} said.",
       "Director {person} said the {utility} Water Utility planned to invest {money} in a water treatment plant to be built in {place}."],
      {"money": ["How much is the {utility} Water Utility investing in the treatment facility it plans in {place}?",
                 "What will the new {place} treatment facility cost the {utility} Water Utility?"],
       "place": ["Where will the {utility} Water Utility build its new treatment facility, according to {person}?"],
       "person": ["Who directs the {utility} Water Utility, which is building a treatment facility in {place}?"]}),
    F("energy", {"company": "company", "mw": "int:120:1400", "place": "city", "year": "year:1:4", "person": "person"},
      ["{company} will build a {mw}-megawatt offshore wind farm off the coast near {place}, with construction due to start in {year}, project manager {person} said.",
       "Construction of an offshore wind farm of {mw} megawatts near {place} will begin in {year}, {company} project manager {person} said."],
      {"mw": ["What capacity will {company}'s offshore wind project near {place} have?",
              "How big, in megawatts, is the wind farm {company} plans off {place}?"],
       "year": ["When is work on {company}'s offshore wind project near {place} scheduled to begin?"],
       "person": ["Who is managing {company}'s offshore wind project near {place}?"]}),
    F("energy", {"pct": "dec:2:19", "date": "date", "person": "person"},
      ["The national energy regulator approved a {pct} percent increase in household electricity tariffs from {date}, its chairman {person} said.",
       "Household power tariffs will go up by {pct} percent from {date} after the energy regulator gave its approval, regulator chairman {person} said."],
      {"pct": ["By how much will home electricity prices rise under the decision announced by regulator chairman {person}?"],
       "date": ["From what date will the higher electricity prices announced by {person} apply?"]}),
    F("energy", {"company": "company", "place": "city", "year": "year:1:6", "n": "int:150:2400", "person": "person"},
      ["{company} will close its coal-fired power station at {place} in {year}, affecting {n} workers, spokesperson {person} said.",
       "Spokesperson {person} said {company} would shut down the coal power plant in {place} in {year}, a decision that affects {n} employees."],
      {"year": ["When will {company} shut its coal station in {place}?",
                "In what year does {company} plan to stop burning coal at {place}, according to {person}?"],
       "n": ["How many staff are affected by the closure of {company}'s coal station in {place}?"],
       "person": ["Which {company} spokesperson announced the end of coal power at {place}?"]}),
    F("energy", {"mw": "int:20:480", "company": "company", "place": "city", "n": "int:5000:160000"},
      ["A {mw}-megawatt solar park built by {company} near {place} was connected to the grid on {#weekday} and will supply about {n} homes.",
       "{company} connected its {mw}-megawatt solar installation outside {place} to the grid on {#weekday}, enough to power some {n} households."],
      {"mw": ["What is the capacity of the solar farm {company} switched on near {place}?"],
       "n": ["How many homes can {company}'s solar farm near {place} provide with power?"]}),
    # ---- politics
    F("politics", {"person": "person", "party": "party", "pct": "dec:30:62", "place": "city", "person2": "person", "pct2": "dec:15:29"},
      ["{person} of the {party} won {pct} percent of the vote in the {place} mayoral election, ahead of {person2} with {pct2} percent, the electoral commission said.",
       "The electoral commission said {person}, the {party} candidate, took {pct} percent in the race for mayor of {place}, while {person2} finished second on {pct2} percent."],
      {"pct": ["What share of the ballots did {person} get in the contest for mayor of {place}?"],
       "person2": ["Who was runner-up to {person} in the election for mayor of {place}?"]}),
    F("politics", {"n": "int:80:160", "m": "int:20:79", "wage": "money_tiny", "person": "person", "party": "party"},
      ["Lawmakers voted {n} to {m} to approve a bill raising the minimum wage to {wage} an hour, sponsored by deputy {person} of the {party}.",
       "A bill from {party} deputy {person} lifting the hourly minimum wage to {wage} passed by {n} votes to {m}."],
      {"n+m": ["What was the vote count on the minimum wage bill put forward by {person}?",
               "By how many votes for and against did parliament pass the wage bill of deputy {person}?"],
       "wage": ["To what level would the bill sponsored by deputy {person} lift the lowest hourly pay?"]}),
    F("politics", {"person": "person", "portfolio": "choice:portfolio", "year": "year:-8:-1", "person2": "person"},
      ["{person}, who had served as minister of {portfolio} since {year}, resigned on {#weekday} and will be replaced by {person2}, the government said.",
       "The government said {person2} would take over as minister of {portfolio} from {person}, who stepped down on {#weekday} after holding the post since {year}."],
      {"person2": ["Who will succeed {person} in charge of {portfolio}?",
                   "Who is replacing {person} as the cabinet member responsible for {portfolio}?"],
       "year": ["Since when had {person} been in charge of {portfolio} before quitting?"]}),
    F("politics", {"party": "party", "place": "city", "person": "person", "n": "int:300:700", "m": "int:720:990"},
      ["Delegates at the {party} congress in {place} elected {person} as party leader with {n} of the {m} votes cast.",
       "{person} was chosen to lead the {party} at its congress in {place}, winning {n} of {m} delegate votes."],
      {"person": ["Who did the {party} pick as its new leader at the congress held in {place}?"],
       "n": ["How many delegate votes did {person} win at the {party} congress in {place}?"]}),
    F("politics", {"place": "city", "money": "money", "year": "year:0:1", "money2": "money_part", "item": "choice:budget_item", "person": "person"},
      ["The {place} City Council approved a budget of {money} for {year}, including {money2} for {item}, council leader {person} said.",
       "Council leader {person} said the {place} City Council’s {year} budget of {money} sets aside {money2} for {item}."],
      {"money2": ["How much has the {place} City Council earmarked for {item} in its {year} spending plan?"],
       "money": ["What is the total {year} spending plan approved by the {place} City Council, according to {person}?"]}),
    # ---- health
    F("health", {"hospital": "org:hospital", "dept": "choice:dept", "n": "int:24:240", "month": "month", "person": "person"},
      ["The {hospital} will open a new {dept} wing with {n} beds in {month}, hospital director {person} said.",
       "Hospital director {person} said a {dept} wing with {n} beds would open at the {hospital} in {month}."],
      {"n": ["How many beds will the planned {dept} unit at the {hospital} have?"],
       "month": ["When will the {dept} unit at the {hospital} open, according to {person}?"],
       "person": ["Who is the director of the {hospital}, which is adding a {dept} unit?"]}),
    F("health", {"n": "int:12:480", "infection": "choice:infection", "place": "city", "source": "choice:source", "person": "person"},
      ["Health officials in {place} confirmed {n} cases of {infection} linked to {source}, said {person}, head of the regional health authority.",
       "{person}, who heads the regional health authority, said {n} {infection} infections in {place} had been traced to {source}."],
      {"n": ["How many {infection} infections were confirmed in {place}, according to {person}?"],
       "source": ["What did {person}'s health authority link the {infection} cases in {place} to?"]}),
    F("health", {"n": "int:40000:900000", "infection": "choice:infection", "month": "month", "person": "person"},
      ["Health authorities aim to vaccinate {n} children against {infection} by the end of {month}, deputy health minister {person} said.",
       "Deputy health minister {person} said the goal was to immunise {n} children against {infection} before the end of {month}."],
      {"n": ["How many children does deputy minister {person} want protected against {infection}?"],
       "month": ["By when does deputy minister {person} hope to finish the {infection} immunisation drive?"]}),
    F("health", {"place": "city", "hours": "dec:3:11", "cadj": "ctx:cadj", "person": "person"},
      ["Average waiting times at emergency departments in {place} rose to {hours} hours last year, according to a report presented by {person} of the {cadj} Patients’ Association.",
       "Patients at emergency departments in {place} waited an average of {hours} hours last year, {person} of the {cadj} Patients’ Association said, presenting the group’s report."],
      {"hours": ["How long did patients in {place} typically wait in emergency rooms last year, according to {person}?",
                 "What was the mean emergency waiting time in {place} reported by {person}?"]}),
    F("health", {"company": "company", "drug": "drug", "chronic": "choice:chronic", "pct": "int:18:62", "n": "int:120:3400", "person": "person"},
      ["{company}’s drug {drug} reduced symptoms of {chronic} by {pct} percent in a trial of {n} patients, chief medical officer {person} said.",
       "In a trial of {n} patients, {drug}, developed by {company}, cut {chronic} symptoms by {pct} percent, according to {person}, the company’s chief medical officer."],
      {"pct": ["By how much did {drug} ease {chronic} symptoms in the {company} study?"],
       "n": ["How many patients took part in {company}'s study of {drug}?"],
       "person": ["Who is the chief medical officer of {company}, which tested {drug} against {chronic}?"]}),
    # ---- transport
    F("transport", {"place": "city", "place2": "city", "money": "money_big", "minutes": "int:35:150", "person": "person"},
      ["The new rail link between {place} and {place2} will cost {money} and cut the journey time to {minutes} minutes, said {person}, chief executive of the national rail company.",
       "{person}, who heads the national rail company, said the {place}–{place2} rail link would cost {money} and reduce travel time between the cities to {minutes} minutes."],
      {"money": ["How much will the railway connecting {place} and {place2} cost, according to {person}?"],
       "minutes": ["How long will the train trip from {place} to {place2} take once the line promoted by {person} opens?"]}),
    F("transport", {"airline": "airline", "place": "city", "place2": "anycity", "date": "date", "n": "int:2:21", "person": "person"},
      ["{airline} will launch direct flights from {place} to {place2} on {date}, with {n} departures a week, commercial director {person} said.",
       "Commercial director {person} said {airline} would start flying nonstop between {place} and {place2} from {date}, offering {n} flights a week."],
      {"date": ["When will {airline} begin its nonstop service from {place} to {place2}?"],
       "n": ["How many weekly flights will {airline} operate between {place} and {place2}?"],
       "person": ["Which {airline} executive announced the new {place} to {place2} route?"]}),
    F("transport", {"river": "river", "place": "city", "year": "year:1:3", "n": "int:4:30", "person": "person"},
      ["Construction of the new bridge over the {river} River in {place} will be completed in {year}, {n} months behind schedule, chief engineer {person} said.",
       "Chief engineer {person} said the bridge being built across the {river} River at {place} would be finished in {year}, a delay of {n} months."],
      {"year": ["When will the crossing over the {river} River in {place} be finished, according to {person}?"],
       "n": ["How many months late is the {river} River crossing in {place}, according to {person}?"]}),
    F("transport", {"place": "city", "days": "nword:2:5", "date": "date", "union": "org:union", "person": "person"},
      ["Bus drivers in {place} will strike for {days} days starting on {date} in a dispute over pay, said {person}, leader of the {union}.",
       "{person}, who leads the {union}, said bus drivers in {place} would walk out for {days} days from {date} over wages."],
      {"days": ["How long will the walkout by bus drivers in {place} called by {person} last?"],
       "date": ["When does the bus drivers' walkout in {place} announced by union leader {person} begin?"]}),
    F("transport", {"place": "city", "n": "int:200000:4800000", "pct": "dec:2:18", "person": "person"},
      ["The Port of {place} handled {n} containers last year, up {pct} percent, port director {person} said.",
       "Port director {person} said container traffic through the Port of {place} rose {pct} percent to {n} boxes last year."],
      {"n": ["How many containers passed through the Port of {place} last year, according to {person}?"],
       "pct": ["By what percentage did cargo volumes at the Port of {place} grow, according to {person}?"]}),
    # ---- culture
    F("culture", {"place": "city", "n": "int:20000:380000", "person": "person", "film": "film"},
      ["The {place} Film Festival drew {n} visitors this year, festival director {person} said, with the top prize going to the drama “{film}”.",
       "Festival director {person} said {n} people attended the {place} Film Festival, where “{film}” won the main award."],
      {"n": ["How many people came to the {place} Film Festival, according to {person}?"],
       "film": ["Which film took the main prize at the {place} Film Festival, according to its director {person}?"]}),
    F("culture", {"museum": "org:museum", "artist": "person", "money": "money", "place2": "anycity", "person": "person"},
      ["The {museum} bought a painting by {artist} for {money} at an auction in {place2}, curator {person} said.",
       "Curator {person} said the {museum} had paid {money} for a work by the painter {artist} at an auction in {place2}."],
      {"money": ["How much did the {museum} spend on the {artist} canvas?"],
       "place2": ["In which city was the sale where the {museum} acquired a work by {artist}?"],
       "artist": ["Whose painting did the {museum} acquire at the {place2} sale, according to {person}?"]}),
    F("culture", {"theatre": "org:theatre", "date": "date", "money": "money", "person": "person"},
      ["The {theatre} will reopen on {date} after a renovation costing {money}, artistic director {person} said.",
       "Artistic director {person} said the {theatre} would welcome audiences again from {date}, following {money} worth of renovation work."],
      {"date": ["When will the {theatre} open its doors again, according to {person}?"],
       "money": ["How much did the refurbishment of the {theatre} overseen by {person} cost?"]}),
    F("culture", {"person": "person", "prize": "org:prize", "book": "book", "n": "int:180:900", "money": "money_small"},
      ["{person} won the {prize} for the novel “{book}”, which was chosen from {n} entries, and will receive {money}.",
       "The novel “{book}” by {person} was picked from {n} submissions for the {prize}, which comes with {money} in prize money."],
      {"book": ["Which book earned {person} the {prize}?"],
       "money": ["How much money comes with the {prize} awarded to {person}?"],
       "n": ["How many books competed for the {prize} that {person} won?"]}),
    F("culture", {"orchestra": "org:orchestra", "n": "int:6:40", "partner": "country2", "person": "person", "year": "year:0:2"},
      ["The {orchestra} will give {n} concerts during a tour of {partner} in {year}, its chief conductor {person} said.",
       "Chief conductor {person} said the {orchestra} would perform {n} times on a tour of {partner} in {year}."],
      {"n": ["How many performances will the {orchestra} give on its {partner} tour?"],
       "partner": ["Which country will the {orchestra} visit on tour in {year}, according to {person}?"],
       "person": ["Who is the chief conductor of the {orchestra}, which is touring {partner}?"]}),
]
FACTS_BY_TOPIC = {t: [f for f in FACTS if f["topic"] == t] for t in TOPIC_NAMES}

ORG_PATTERNS = {
    "club": ["FC {c}", "{c} United", "{c} Rovers", "Sporting {c}", "{c} Athletic", "Dynamo {c}"],
    "court": ["{c} District Court", "{c} Court of Appeal", "{c} Regional Court"],
    "univ": ["University of {c}", "{c} Institute of Technology", "{c} Medical University"],
    "hospital": ["{c} General Hospital", "{c} University Hospital", "{c} Children’s Hospital"],
    "museum": ["{c} Museum of Modern Art", "{c} City Museum", "{c} Museum of Fine Arts"],
    "theatre": ["{c} National Theatre", "{c} Opera House"],
    "orchestra": ["{c} Philharmonic Orchestra", "{c} Symphony Orchestra"],
    "union": ["{c} Bus Drivers’ Union", "{a} Transport Workers’ Union"],
    "prize": ["{c} Literary Prize", "{a} Book Award", "{c} Prize for Fiction"],
    "festival": ["{c} Film Festival"],
}
STADIUM_PATTERNS = ["{s} Arena", "{c} Municipal Stadium", "Stadion {c}"]
LEAGUE_PATTERNS = ["{} Premier Division", "{} First League", "{} Super League"]
AGENCY_PATTERNS = ["{city} Herald", "{adj} Press Agency", "{city} Tribune", "{adj} Broadcasting Corporation",
                   "{city} Gazette", "{adj} News Agency", "{city} Post", "{city} Courier"]
JOURNAL_PATTERNS = ["{} Letters", "{} Review", "Annals of the {} Society", "{} Journal of Biology"]
AIRLINE_PATTERNS = ["{} Air", "Air {}", "{} Airways", "{}jet"]

LOOKUP_WRAPPERS = [
    ("", ""), ("", ""), ("", ""),
    ("Which article contains the quote \"", "\"?"),
    ("Where does it say \"", "\"?"),
    ("Find the passage: ", ""),
]
# Unanswerable questions ask about these kinds of slots, replaced by a name not in the corpus.
UNANSWERABLE_SLOTS = ("company", "person", "person2", "univ", "club1", "airline", "drug", "river", "storm")


def _template_vocabulary() -> set[str]:
    texts: list[str] = []
    for t in TOPICS.values():
        for key in ("body", "quotes", "roles", "subheads"):
            texts += t[key]
        for titles, lead in t["stories"]:
            texts += titles + [lead]
        texts += list(t["minister"])
    texts += GENERIC_BODY + GENERIC_QUOTES + QUOTE_INTRO + QUOTE_AGAIN + BOILERPLATE + [DISCLAIMER]
    texts += PARTIES + FILM_ADJS + FILM_NOUNS + MONTHS + WEEKDAYS + ORDINAL_WORDS + NUMBER_WORDS
    for f in FACTS:
        texts += f["text"] + [q for qs in f["ask"].values() for q in qs]
    for items in CHOICES.values():
        texts += [t for t, _ in items]
    for suffixes in COMPANY_SUFFIXES.values():
        texts += suffixes
    for patterns in ORG_PATTERNS.values():
        texts += patterns
    texts += (STADIUM_PATTERNS + LEAGUE_PATTERNS + AGENCY_PATTERNS + JOURNAL_PATTERNS + AIRLINE_PATTERNS
              + ["Published Updated By Subscribe Railways a.m. p.m."])
    return {w.lower() for text in texts for w in TOKEN_RE.findall(text)}


VOCAB = _template_vocabulary()


# --------------------------------------------------------------------------------------
# The world: countries, cities, people, companies, shared by all articles of a seed
# --------------------------------------------------------------------------------------

class World:
    """Entity pools for one seed; independent of the number of articles."""

    def __init__(self, seed: int):
        self.seed = seed
        rng = Random(f"corpus-world:{seed}")
        self.namer = Namer(rng, VOCAB | {n.lower() for n in FIRST_NAMES})
        self.first_names = FIRST_NAMES + [self.namer.first_name() for _ in range(140)]
        self.surnames = [self.namer.surname() for _ in range(9000)]
        self.countries: list[Country] = []
        for _ in range(24):
            name = self.namer.country()
            currency, symbol = rng.choice(CURRENCIES)
            cities = [self.namer.city() for _ in range(130)]
            officials = {role: self._person(rng) for role in
                         ["president", "pm"] + [t for t in TOPIC_NAMES]}
            self.countries.append(Country(name, name + "n", currency, symbol, cities,
                                          Zipf(cities, s=1.0, offset=3), officials))
        self.country_zipf = Zipf(self.countries, s=0.7, offset=2)
        self.companies = {}
        for kind, suffixes in COMPANY_SUFFIXES.items():
            names = [f"{self.namer.stem(COMPANY_ENDINGS)} {rng.choice(suffixes)}" for _ in range(320)]
            self.companies[kind] = Zipf(names, s=0.9, offset=5)
        self.rivers = [self.namer.take(lambda r: (_stem(r, r.choice([1, 2]))
                                                  + r.choice(["a", "e", "er", "ava", "ine", "ul"])).capitalize())
                       for _ in range(500)]
        self.journals = []
        for _ in range(120):
            stem = self.namer.stem(["ic", "ian", "ean", "al"])
            self.journals.append(rng.choice(JOURNAL_PATTERNS).format(stem))
        self.drugs = [self.namer.stem(DRUG_ENDINGS) for _ in range(2500)]
        self.satellites = [f"{self.namer.stem(['el', 'ar', 'os', 'ix', 'a'])}-{rng.randint(1, 9)}"
                           for _ in range(600)]
        self.airlines = [rng.choice(AIRLINE_PATTERNS).format(
            self.namer.stem(["o", "a", "is", "ia", "an"])) for _ in range(150)]
        self.airline_zipf = Zipf(self.airlines, s=0.9, offset=3)
        self.agencies = []
        for k in range(60):
            c = self.countries[k % len(self.countries)]
            city = c.cities[k // len(self.countries)]
            self.agencies.append(rng.choice(AGENCY_PATTERNS).format(
                city=city, adj=c.adj, country=c.name))
        self._ceo: dict[str, str] = {}

    def _person(self, rng: Random) -> str:
        return f"{rng.choice(self.first_names)} {rng.choice(self.surnames)}"

    def person(self, rng: Random) -> str:
        return self._person(rng)

    def ceo(self, company: str) -> str:
        """The chief executive of a company is the same person in every article."""
        if company not in self._ceo:
            self._ceo[company] = self._person(Random(f"corpus-ceo:{self.seed}:{company}"))
        return self._ceo[company]

    def company(self, rng: Random, topic: str) -> str:
        kind = topic if topic in self.companies else "economy"
        return self.companies[kind].pick(rng)


# --------------------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------------------

def _fmt_int(n: int) -> str:
    return f"{n:,}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _money(rng: Random, country: Country, kind: str) -> tuple[str, list[str]]:
    if kind == "money_big":
        amount = f"{rng.uniform(1.1, 24.0):.1f}"
        unit, short = "billion", "bn"
    elif kind == "money_small":
        n = rng.randint(20, 950) * 1000
        amount, unit, short = _fmt_int(n), "", ""
    elif kind == "money_tiny":
        amount, unit, short = f"{rng.uniform(4.0, 25.0):.2f}", "", ""
    else:
        v = rng.uniform(1.5, 950.0)
        amount = f"{v:.1f}" if v < 100 else str(int(v))
        unit, short = "million", "m"
    if country.symbol and rng.random() < 0.35:
        text = f"{country.symbol}{amount}" + (f" {unit}" if unit else "")
    else:
        text = f"{amount}" + (f" {unit}" if unit else "") + f" {country.currency}"
    if unit:
        answers = [f"{amount} {unit}", f"{amount}{short}"]
    else:
        answers = [amount, amount.replace(",", "")] if "," in amount else [amount]
    return text, answers


@dataclass
class SlotVal:
    text: str
    answers: list[list[str]]


@dataclass
class Ctx:
    rng: Random
    world: World
    topic: str
    country: Country
    year: int
    values: dict[str, str]
    persons_introduced: set = field(default_factory=set)


def _pick_city(ctx: Ctx, avoid: set[str]) -> str:
    for _ in range(50):
        city = ctx.country.city_zipf.pick(ctx.rng)
        if city not in avoid:
            return city
    return ctx.rng.choice([c for c in ctx.country.cities if c not in avoid])


def _org(kind: str, ctx: Ctx, avoid: set[str]) -> tuple[str, str]:
    """An organisation built on a city of the article's country: (name, its city)."""
    city = _pick_city(ctx, avoid)
    return ctx.rng.choice(ORG_PATTERNS[kind]).format(c=city, a=ctx.country.adj), city


def _stadium(rng: Random, world: World, city: str) -> str:
    return rng.choice(STADIUM_PATTERNS).format(s=rng.choice(world.surnames), c=city)


def _inline(kind: str, args: list[str], ctx: Ctx) -> str:
    rng = ctx.rng
    if kind == "int":
        return _fmt_int(rng.randint(int(args[0]), int(args[1])))
    if kind == "dec":
        return f"{rng.uniform(float(args[0]), float(args[1]) + 0.99):.1f}"
    if kind == "pct":
        return f"{rng.uniform(float(args[0]), float(args[1]) + 0.9):.1f}"
    if kind == "year":
        return str(ctx.year + rng.randint(int(args[0]), int(args[1])))
    if kind in ("money", "money_small", "money_big"):
        return _money(rng, ctx.country, kind)[0]
    if kind == "weekday":
        return rng.choice(WEEKDAYS)
    if kind == "month":
        return rng.choice(MONTHS)
    if kind == "date":
        return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
    if kind == "person":
        return ctx.world.person(rng)
    if kind == "ordw":
        return ORDINAL_WORDS[rng.randint(int(args[0]), int(args[1])) - 1]
    if kind == "nth":
        return _ordinal(rng.randint(int(args[0]), int(args[1])))
    if kind == "score":
        w = rng.randint(1, 4)
        return f"{w}-{rng.randint(0, w - 1)}"
    if kind == "draw":
        n = rng.randint(0, 3)
        return f"{n}-{n}"
    if kind == "decade":
        return f"{rng.randint(195, 199)}0s"
    raise KeyError(kind)


def render(template: str, ctx: Ctx, extra: dict[str, str] | None = None) -> str:
    values = ctx.values

    def sub(m: re.Match) -> str:
        key = m.group(1)
        if key[0] == "#":
            kind, *args = key[1:].split(":")
            return _inline(kind, args, ctx)
        if extra is not None and key in extra:
            return extra[key]
        return values[key]

    return PLACEHOLDER_RE.sub(sub, template)


# --------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------

@dataclass
class FactInstance:
    spec: dict
    values: dict[str, SlotVal]
    sentence: str  # as written in the file
    line: int = 0  # 1-based


@dataclass
class Article:
    index: int
    name: str
    topic: str
    text: str
    facts: list[FactInstance]
    sentences: list[tuple[str, int]]  # (sentence as written, 1-based line)
    words: int
    n_lines: int


def _build_ctx(rng: Random, world: World, topic: str) -> Ctx:
    country = world.country_zipf.pick(rng)
    year = rng.randint(2018, 2025)
    ctx = Ctx(rng, world, topic, country, year, {})
    v = ctx.values
    used: set[str] = set()
    for key in ("city", "city2", "city3"):
        v[key] = _pick_city(ctx, used)
        used.add(v[key])
    other = rng.choice([c for c in world.countries if c is not country])
    month = rng.choice(MONTHS)
    v.update(country=country.name, cadj=country.adj, capital=country.cities[0], country2=other.name,
             weekday=rng.choice(WEEKDAYS), month=month, day=str(rng.randint(1, 28)), year=str(year),
             company=world.company(rng, topic), bank=world.companies["bank"].pick(rng),
             agency=rng.choice(world.agencies), party=rng.choice(PARTIES),
             airline=world.airline_zipf.pick(rng), railways=f"{country.adj} Railways",
             league=rng.choice(LEAGUE_PATTERNS).format(country.adj),
             river=rng.choice(world.rivers), president=country.officials["president"],
             pm=country.officials["pm"])
    v["pm_s"] = v["pm"].split()[-1]
    v["company2"] = world.company(rng, topic)
    if v["company2"] == v["company"]:
        v["company2"] = world.company(rng, "economy")
    v["party2"] = rng.choice([p for p in PARTIES if p != v["party"]])
    for kind in ("court", "univ", "hospital", "museum", "theatre", "orchestra", "union", "festival"):
        v[kind] = _org(kind, ctx, set())[0]
    club1, c1 = _org("club", ctx, set())
    club2, _ = _org("club", ctx, {c1})
    v.update(club1=club1, club2=club2)
    v["stadium"] = _stadium(rng, world, c1)
    post, title = TOPICS[topic]["minister"]
    official = country.officials[topic]
    v.update(official=official, official_s=official.split()[-1], official_r=post, official_t=title)
    for k in ("p1", "p2", "p3"):
        person = world.person(rng)
        v[k], v[k + "s"] = person, person.split()[-1]
        v[k + "r"] = render(rng.choice(TOPICS[topic]["roles"]), ctx)
    if topic == "energy" and rng.random() < 0.5:
        v["p1"] = world.ceo(v["company"])
        v["p1s"], v["p1r"] = v["p1"].split()[-1], f"chief executive of {v['company']}"
    return ctx


def _slot(kind: str, ctx: Ctx, vals: dict[str, SlotVal], used_cities: set[str],
          used_people: set[str]) -> SlotVal:
    rng, world = ctx.rng, ctx.world
    head, _, arg = kind.partition(":")
    if head == "person" or head == "ceo":
        for _ in range(20):
            name = world.ceo(vals[arg].text) if head == "ceo" else world.person(rng)
            if name not in used_people:
                break
            head = "person"
        used_people.add(name)
        return SlotVal(name, [[name.split()[-1]]])
    if head in ("city", "anycity"):
        if head == "anycity" and rng.random() < 0.5:
            other = rng.choice(world.countries)
            city = other.city_zipf.pick(rng)
            if city in used_cities:
                city = _pick_city(ctx, used_cities)
        else:
            city = _pick_city(ctx, used_cities)
        used_cities.add(city)
        return SlotVal(city, [[city]])
    if head == "company":
        topic = arg or ctx.topic
        for _ in range(20):
            name = world.company(rng, topic)
            if all(name != sv.text for sv in vals.values()):
                break
        stem = name.split()[0]
        return SlotVal(name, [[name, stem]])
    if head.startswith("money"):
        if head == "money_part":
            total = vals["money"].text
            num = float(re.search(r"[\d.]+", total).group())
            amount = f"{num * rng.uniform(0.03, 0.3):.1f}"
            unit = "billion" if "billion" in total else "million"
            text = f"{amount} {unit} {ctx.country.currency}"
            return SlotVal(text, [[f"{amount} {unit}"]])
        text, answers = _money(rng, ctx.country, head)
        return SlotVal(text, [answers])
    if head == "int":
        lo, hi = map(int, arg.split(":"))
        n = rng.randint(lo, hi)
        s = _fmt_int(n)
        return SlotVal(s, [[s, str(n)] if s != str(n) else [s]])
    if head == "dec":
        lo, hi = map(float, arg.split(":"))
        s = f"{rng.uniform(lo, hi):.1f}"
        return SlotVal(s, [[s]])
    if head == "year":
        lo, hi = map(int, arg.split(":"))
        s = str(ctx.year + rng.randint(lo, hi))
        return SlotVal(s, [[s]])
    if head == "month":
        m = rng.choice(MONTHS)
        return SlotVal(m, [[m]])
    if head == "date":
        m, d = rng.choice(MONTHS), rng.randint(1, 28)
        return SlotVal(f"{m} {d}", [[f"{m} {d}", f"{d} {m}"]])
    if head == "ordw":
        lo, hi = map(int, arg.split(":"))
        n = rng.randint(lo, hi)
        return SlotVal(ORDINAL_WORDS[n - 1], [[ORDINAL_WORDS[n - 1], _ordinal(n)]])
    if head == "nword":
        lo, hi = map(int, arg.split(":"))
        n = rng.randint(lo, hi)
        return SlotVal(NUMBER_WORDS[n], [[NUMBER_WORDS[n], str(n)]])
    if head == "score":
        w = rng.randint(2, 5)
        s = f"{w}-{rng.randint(0, w - 1)}"
        return SlotVal(s, [[s, s.replace("-", "–")]])
    if head == "time":
        s = f"2:{rng.randint(3, 14):02d}:{rng.randint(0, 59):02d}"
        return SlotVal(s, [[s]])
    if head == "choice":
        text, answers = rng.choice(CHOICES[arg])
        return SlotVal(text, [list(answers)])
    if head == "ctx":
        return SlotVal(ctx.values[arg], [[ctx.values[arg]]])
    if head == "country2":
        name = ctx.values["country2"]
        return SlotVal(name, [[name]])
    if head == "org":
        name, city = _org(arg, ctx, used_cities)
        used_cities.add(city)
        if arg == "club":
            return SlotVal(name, [[name, city]])
        return SlotVal(name, [[name]])
    if head == "stadium":  # the home ground of the fact's club1
        name = _stadium(rng, world, vals["club1"].answers[0][1])
        return SlotVal(name, [[name]])
    if head == "party":
        p = rng.choice(PARTIES)
        return SlotVal(p, [[p]])
    if head == "storm":
        name = rng.choice(world.first_names)
        return SlotVal(name, [[name]])
    if head == "river":
        name = rng.choice(world.rivers)
        return SlotVal(name, [[name]])
    if head == "journal":
        name = rng.choice(world.journals)
        stem = next(w for w in name.split() if w.lower() not in VOCAB)
        return SlotVal(name, [[name, stem]])
    if head == "drug":
        name = rng.choice(world.drugs)
        return SlotVal(name, [[name]])
    if head == "satellite":
        name = rng.choice(world.satellites)
        return SlotVal(name, [[name]])
    if head == "airline":
        name = world.airline_zipf.pick(rng)
        return SlotVal(name, [[name]])
    if head in ("film", "book"):
        title = f"The {rng.choice(FILM_ADJS)} {rng.choice(FILM_NOUNS)}"
        return SlotVal(title, [[title]])
    raise KeyError(kind)


def _make_fact(spec: dict, ctx: Ctx) -> tuple[dict[str, SlotVal], str]:
    vals: dict[str, SlotVal] = {}
    used_cities: set[str] = set()
    used_people: set[str] = set()
    for name, kind in spec["slots"].items():
        vals[name] = _slot(kind, ctx, vals, used_cities, used_people)
    sentence = render(ctx.rng.choice(spec["text"]), ctx, {k: v.text for k, v in vals.items()})
    return vals, sentence


def _quote_sentence(ctx: Ctx, quotes: list[str]) -> str:
    rng, v = ctx.rng, ctx.values
    who = rng.choice(["p1", "p1", "p2", "p3", "official"])
    if who == "official":
        full, sur, role = v["official"], v["official_s"], v["official_r"]
    else:
        full, sur, role = v[who], v[who + "s"], v[who + "r"]
    # quotes is the article's shuffled list, used up from the front: no quote is said twice
    q = quotes.pop(0)
    if who in ctx.persons_introduced:
        frame = rng.choice(QUOTE_AGAIN)
    else:
        frame = rng.choice(QUOTE_INTRO)
        ctx.persons_introduced.add(who)
    q2 = quotes.pop(0) if "{Q2}" in frame else ""
    return render(frame, ctx, {"Q": q, "Q2": q2, "P": full, "S": sur, "R": role})


_STRAIGHT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def _straight(s: str) -> str:
    return s.translate(_STRAIGHT)


def _publisher_lines(ctx: Ctx) -> list[str]:
    rng, v = ctx.rng, ctx.values
    m, d, y = v["month"], int(v["day"]), v["year"]
    mi = MONTHS.index(m) + 1
    style = rng.randrange(6)
    if style == 0:
        return [f"Published {m} {d}, {y}"]
    if style == 1:
        return [f"{v['agency']} {ctx.topic.upper()}", f"Published {m} {d:02d},{y}"]
    if style == 2:
        return [f"By {ctx.world.person(rng)} | {v['agency']} | {d} {m} {y}"]
    if style == 3:
        return [f"{v['agency']} – {d:02d}.{mi:02d}.{y} {rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}"]
    if style == 4:
        return [f"Updated {m} {d}, {y} at {rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['a.m.', 'p.m.'])}"]
    return [f"{rng.choice(WEEKDAYS)}, {d} {m} {y}"]


def generate_article(world: World, seed: int, index: int) -> Article:
    """One article; depends only on the seed and its index, not on the corpus size."""
    rng = Random(f"corpus-article:{seed}:{index}")
    topic = rng.choice(TOPIC_NAMES)
    ctx = _build_ctx(rng, world, topic)
    spec = TOPICS[topic]
    quote_style = rng.choices(["curly", "straight", "mixed"], weights=[55, 35, 10])[0]
    blank_lines = rng.random() < 0.4

    titles, lead_template = rng.choice(spec["stories"])
    title = render(rng.choice(titles), ctx)
    if rng.random() < 0.12:
        title += f" – {ctx.values['official_s']}"
    header = _publisher_lines(ctx) if rng.random() < 0.3 else []
    if header and rng.random() < 0.3:
        header.append("Subscribe")
    footer: list[str] = []
    if rng.random() < 0.25:
        if rng.random() < 0.25:
            footer.append(DISCLAIMER)
        footer.append(render(rng.choice(BOILERPLATE), ctx))

    lead = render(lead_template, ctx)
    if rng.random() < 0.15:
        lead = f"{ctx.values['city'].upper()}, {ctx.values['month']} {ctx.values['day']} ({ctx.values['agency']}) – {lead}"

    # Topic sentences come about twice as often as generic ones; none repeats before all are used.
    topical, generic = rng.sample(spec["body"], len(spec["body"])), rng.sample(GENERIC_BODY, len(GENERIC_BODY))
    order: list[str] = []
    while topical or generic:
        order.append((topical if topical and (not generic or rng.random() < 0.68) else generic).pop())
    quotes = rng.sample(spec["quotes"], len(spec["quotes"])) + rng.sample(GENERIC_QUOTES, 3)
    cursor = [0]

    def next_body() -> str:
        t = order[cursor[0] % len(order)]
        cursor[0] += 1
        return render(t, ctx)

    def new_paragraph() -> list[str]:
        if len(quotes) >= 2 and rng.random() < 0.38:
            para = [_quote_sentence(ctx, quotes)]
            if rng.random() < 0.25:
                para.append(next_body())
            return para
        return [next_body() for _ in range(rng.choice([1, 1, 2, 2, 3]))]

    target = rng.randint(MIN_WORDS + 10, MAX_WORDS - 10)
    n_facts = 1 if target < 380 else 2
    fact_specs = rng.sample(FACTS_BY_TOPIC[topic], n_facts)
    facts: list[FactInstance] = []
    fact_paras: list[list[str]] = []
    for fs in fact_specs:
        vals, sentence = _make_fact(fs, ctx)
        facts.append(FactInstance(fs, vals, sentence))
        para = [sentence]
        r = rng.random()
        if r < 0.35:
            para.append(next_body())
        elif r < 0.5:
            para.insert(0, next_body())
        fact_paras.append(para)

    def count(paras: list[list[str]]) -> int:
        return sum(len(s.split()) for p in paras for s in p)

    fixed = len(title.split()) + sum(len(h.split()) for h in header) + sum(len(f.split()) for f in footer)
    body: list[list[str]] = [[lead]]
    if rng.random() < 0.3:
        body[0].append(next_body())
    total = fixed + count(body) + count(fact_paras)  # kept up to date below
    while total < target:
        body.append(new_paragraph())
        total += count(body[-1:])
    # Facts go anywhere after the lead, including the very end of long articles.
    for para in fact_paras:
        body.insert(rng.randint(1, len(body)), para)
    is_fact = [any(p is fp for fp in fact_paras) for p in body]
    while total > MAX_WORDS - 5:
        k = rng.choice([k for k in range(1, len(body)) if not is_fact[k]])
        total -= count(body[k:k + 1])
        del body[k], is_fact[k]
    while total < MIN_WORDS + 5:
        body.append([next_body()])
        is_fact.append(False)
        total += count(body[-1:])

    # Occasional scraping noise: a subheading line, a repeated paragraph.
    extra_lines: dict[int, str] = {}
    if len(body) > 4 and rng.random() < 0.1:
        extra_lines[rng.randint(2, len(body) - 1)] = "- " + rng.choice(spec["subheads"])
    if len(body) > 3 and rng.random() < 0.04:
        k = rng.choice([k for k in range(1, len(body)) if not is_fact[k]])
        if total + count(body[k:k + 1]) <= MAX_WORDS - 5:
            body.append(list(body[k]))
            is_fact.append(False)

    def styled(s: str, para_index: int) -> str:
        if quote_style == "straight" or (quote_style == "mixed" and (para_index * 7 + index) % 3 == 0):
            return _straight(s)
        return s

    paragraphs: list[list[str]] = [[styled(s, k) for s in p] for k, p in enumerate(body)]
    title_line = title if quote_style == "mixed" else styled(title, 0)
    blocks: list[list[str]] = [[title_line]]
    if header:
        blocks.append(header)
    para_lines: list[tuple[int, str]] = []  # (paragraph index, line) in order
    for k, para in enumerate(paragraphs):
        if k in extra_lines:
            blocks.append([extra_lines[k]])
        blocks.append([" ".join(para)])
        para_lines.append((k, blocks[-1][0]))
    for f in footer:
        blocks.append([f])
    sep = "\n\n" if blank_lines else "\n"
    text = sep.join("\n".join(b) for b in blocks)
    if rng.random() < 0.8:
        text += "\n"

    lines = text.split("\n")
    line_of_para: dict[int, int] = {}
    cursor_line = 0
    for k, line in para_lines:
        cursor_line = lines.index(line, cursor_line)
        line_of_para[k] = cursor_line + 1
        cursor_line += 1
    sentences: list[tuple[str, int]] = []
    for k, para in enumerate(paragraphs):
        for s in para:
            sentences.append((s, line_of_para[k]))
    for fact, fp in zip(facts, fact_paras):
        k = next(i for i, p in enumerate(body) if p is fp)
        fact.sentence = styled(fact.sentence, k)
        fact.line = line_of_para[k]
    return Article(index, FILE_PATTERN.format(index), topic, text, facts, sentences,
                   len(text.split()), len(lines))


# --------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------

def question_entities(question: str) -> list[str]:
    """Lower-cased capitalised words of a question after its first word: the named things."""
    words = re.findall(r"[^\W_][^\s?!.,;:\"“”]*", question)[1:]
    out: list[str] = []
    for w in words:
        if w[0].isupper():
            for t in TOKEN_RE.findall(w):
                if t[0].isupper() and t.lower() not in out:
                    out.append(t.lower())
    return out


def normalize(s: str) -> str:
    """Lower case, straight quotes, single spaces: what a lookup quote is matched on."""
    s = s.translate(_STRAIGHT).replace("–", "-").replace("—", "-").lower()
    return " ".join(s.split())


def _strip_needle(s: str) -> str:
    return normalize(s).strip(" \"'.,;:!?")


def extract_quote(question: str) -> str:
    for prefix, suffix in LOOKUP_WRAPPERS:
        if prefix and question.startswith(prefix) and question.endswith(suffix):
            return question[len(prefix):len(question) - len(suffix)]
    return question


@dataclass
class Candidate:
    kind: str
    article: int
    question: str
    answer_must: list[list[str]]
    tokens: frozenset = frozenset()
    needle: str = ""
    line: int = 0
    position: float = 0.0  # relative line position of the target in its article
    template: int = -1  # index of the fact in FACTS
    bad: bool = False
    hits: int = 0


def _anchor(tokens) -> str:
    names = [t for t in tokens if t not in VOCAB]
    return max(names or list(tokens), key=lambda t: (len(t), t))


def _qa_candidate(article: Article, rng: Random) -> Candidate | None:
    fact = rng.choice(article.facts)
    key = rng.choice(list(fact.spec["ask"]))
    template = rng.choice(fact.spec["ask"][key])
    texts = {k: v.text for k, v in fact.values.items()}
    question = PLACEHOLDER_RE.sub(lambda m: _straight(texts[m.group(1)]), template)
    answer_must: list[list[str]] = []
    for slot in key.split("+"):
        answer_must += fact.values[slot].answers
    low_q = question.lower()
    text_low = article.text.lower()
    for group in answer_must:
        if any(a.lower() in low_q for a in group):  # the answer must not be in the question
            return None
        if not any(a.lower() in text_low for a in group):
            return None
    tokens = frozenset(question_entities(question))
    if not tokens:
        return None
    return Candidate("qa", article.index, question, answer_must, tokens,
                     line=fact.line, position=fact.line / article.n_lines,
                     template=FACTS.index(fact.spec))


def _lookup_candidate(article: Article, rng: Random) -> Candidate | None:
    options = [(s, ln) for s, ln in article.sentences if len(s.split()) >= 14]
    if not options:
        return None
    sentence, line = rng.choice(options)
    words = sentence.split()
    r = rng.random()
    if r < 0.4:
        quote = sentence
    elif r < 0.7:
        quote = sentence.translate(_STRAIGHT) if rng.random() < 0.7 else sentence
        quote = quote.rstrip(".")
    else:
        n = rng.randint(10, max(10, len(words) - 3))
        start = rng.randint(0, len(words) - n)
        quote = " ".join(words[start:start + n]).rstrip(",;:")
    if rng.random() < 0.15:
        quote = quote[0].lower() + quote[1:]
    prefix, suffix = rng.choice(LOOKUP_WRAPPERS)
    if '"' in prefix and any(ch in quote for ch in "\"“”"):
        prefix, suffix = LOOKUP_WRAPPERS[-1]  # no quotes around a quote
    question = f"{prefix}{quote}{suffix}"
    needle = _strip_needle(extract_quote(question))
    tokens = frozenset(TOKEN_RE.findall(needle))
    return Candidate("lookup", article.index, question, [], tokens, needle=needle, line=line,
                     position=line / article.n_lines)


def _unanswerable_candidate(world: World, seed: int, k: int, rng: Random) -> Candidate | None:
    # A fake article context (never written) supplies plausible cities and topics.
    fake = generate_article(world, seed, 10_000_000 + k)
    fact = rng.choice(fake.facts)
    key = rng.choice(list(fact.spec["ask"]))
    template = rng.choice(fact.spec["ask"][key])
    slots = [s for s in PLACEHOLDER_RE.findall(template) if s in UNANSWERABLE_SLOTS
             or fact.spec["slots"].get(s, "").startswith(("person", "ceo", "company", "org:club", "org:univ"))]
    if not slots:
        return None
    target = rng.choice(slots)
    texts = {s: v.text for s, v in fact.values.items()}
    old = texts[target]
    fresh_word = world.namer.take(lambda r: (_stem(r, 2) + r.choice(
        SURNAME_ENDINGS[r.choice(list(SURNAME_ENDINGS))])).capitalize(), min_len=6)
    parts = old.split()
    if fact.spec["slots"][target].startswith(("person", "ceo")):
        new = f"{parts[0]} {fresh_word}"
    elif fact.spec["slots"][target].startswith("company"):
        new = f"{fresh_word} {parts[-1]}"
    else:
        # replace the invented name inside the organisation ("FC Kessow" -> "FC Orvanek")
        names = [p for p in parts if p.lower().strip("’'s") not in VOCAB]
        new = old.replace(names[0], fresh_word) if names else f"{fresh_word} {parts[-1]}"
    texts[target] = new
    question = PLACEHOLDER_RE.sub(lambda m: _straight(texts[m.group(1)]), template)
    return Candidate("unanswerable", -1, question, [], frozenset([fresh_word.lower()]))


def _verify_against_corpus(articles_iter, candidates: list[Candidate], watch: frozenset = frozenset()) -> set[str]:
    """One pass over the corpus: qa entities must co-occur only in the gold file, lookup
    quotes must occur in exactly one line, unanswerable names nowhere. Returns the words
    of `watch` seen anywhere."""
    by_anchor: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_anchor.setdefault(_anchor(c.tokens), []).append(c)
    anchors = set(by_anchor)
    seen: set[str] = set()
    for index, text in articles_iter:
        tokens = set(TOKEN_RE.findall(text.lower()))
        if watch:
            seen |= tokens & watch
        for a in tokens & anchors:
            for c in by_anchor[a]:
                if c.bad or not c.tokens <= tokens:
                    continue
                if c.kind == "unanswerable":
                    c.bad = True
                elif c.kind == "qa":
                    if index != c.article:
                        c.bad = True
                    else:
                        c.hits += 1
                else:
                    for ln, line in enumerate(text.split("\n"), 1):
                        if c.needle in normalize(line):
                            if index == c.article and ln == c.line:
                                c.hits += 1
                            else:
                                c.bad = True
    for c in candidates:
        if c.kind != "unanswerable" and c.hits != 1:
            c.bad = True
    return seen


def _select(cands: list[Candidate], n: int) -> list[Candidate]:
    """Take n candidates spread over early, middle and late positions in their articles,
    with no fact template used much more often than the others."""
    cap = max(2, -(-2 * n // len(FACTS)))
    per_template: dict[int, int] = {}
    bins: list[list[Candidate]] = [[], [], []]
    for c in cands:
        bins[min(int(c.position * 3), 2)].append(c)
    out: list[Candidate] = []
    for relaxed in (False, True):
        progress = True
        while len(out) < n and progress:
            progress = False
            for b in bins:
                for k, c in enumerate(b):
                    if relaxed or c.template < 0 or per_template.get(c.template, 0) < cap:
                        out.append(b.pop(k))
                        per_template[c.template] = per_template.get(c.template, 0) + 1
                        progress = True
                        break
                if len(out) >= n:
                    break
    return out


def _question_record(qid: str, c: Candidate) -> dict:
    if c.kind == "unanswerable":
        return {"id": qid, "question": c.question, "kind": "unanswerable", "answerable": False,
                "gold_files": [], "answer_must": []}
    name = FILE_PATTERN.format(c.article)
    rec = {"id": qid, "question": c.question, "kind": c.kind, "answerable": True,
           "gold_files": [name], "answer_must": c.answer_must}
    if c.kind == "lookup":
        rec["gold_lines"] = {name: [c.line]}
    return rec


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------

def make_corpus(n_articles: int, out_dir, seed: int = 0, n_questions: int = 200) -> tuple[Path, Path]:
    """Write out_dir/corpus/syn_*.txt and out_dir/questions.jsonl; return their paths."""
    if n_articles < 1:
        raise ValueError("n_articles must be at least 1")
    out = Path(out_dir)
    corpus_dir = out / "corpus"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for old in corpus_dir.glob("syn_*.txt"):  # a smaller corpus must not keep a bigger one's files
        old.unlink()
    world = World(seed)

    n_unans = round(n_questions * 0.05)
    n_lookup = round(n_questions * 0.10)
    n_qa = max(n_questions - n_unans - n_lookup, 0)
    qrng = Random(f"corpus-questions:{seed}:{n_articles}:{n_questions}")
    n_cand = min(n_articles, 3 * (n_qa + n_lookup) + 30)
    cand_indices = qrng.sample(range(n_articles), n_cand)
    # Roughly one candidate article in six is offered as a lookup, the rest as qa.
    lookup_share = n_lookup / max(n_qa + n_lookup, 1)
    cached: dict[int, Article] = {}
    candidates: list[Candidate] = []
    for i in cand_indices:
        art = generate_article(world, seed, i)
        cached[i] = art
        c = (_lookup_candidate if qrng.random() < lookup_share else _qa_candidate)(art, qrng)
        if c is not None:
            candidates.append(c)
    for k in range(3 * n_unans + 5):
        c = _unanswerable_candidate(world, seed, k, qrng)
        if c is not None:
            candidates.append(c)

    def write_all():
        for i in range(n_articles):
            art = cached.pop(i, None) or generate_article(world, seed, i)
            (corpus_dir / art.name).write_text(art.text, encoding="utf-8", newline="\n")
            yield i, art.text

    _verify_against_corpus(write_all(), candidates)

    good = [c for c in candidates if not c.bad]
    chosen = (_select([c for c in good if c.kind == "qa"], n_qa)
              + _select([c for c in good if c.kind == "lookup"], n_lookup)
              + [c for c in good if c.kind == "unanswerable"][:n_unans])
    if len(chosen) < n_questions:
        print(f"warning: only {len(chosen)} of {n_questions} questions could be made "
              f"from {n_articles} articles", file=sys.stderr)
    qrng.shuffle(chosen)
    questions_path = out / "questions.jsonl"
    with open(questions_path, "w", encoding="utf-8", newline="\n") as fh:
        for k, c in enumerate(chosen, 1):
            fh.write(json.dumps(_question_record(f"s{k:04d}", c), ensure_ascii=False) + "\n")
    return corpus_dir, questions_path


def _longest_common_run(a: list[str], b: list[str]) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def _words(s: str) -> list[str]:
    return re.findall(r"\w+", normalize(s))


def _question_words(question: str) -> list[str]:
    """Words of a question with its named entities masked: copying names is not copying."""
    words = re.findall(r"\w+", question.translate(_STRAIGHT))
    return [w.lower() if k == 0 or not w[0].isupper() else "\0" for k, w in enumerate(words)]


@dataclass
class CheckReport:
    problems: list[str]
    stats: dict


def check_corpus(out_dir) -> CheckReport:
    """Verify a generated directory: file names, sizes, and every question against its gold file."""
    out = Path(out_dir)
    corpus_dir = out / "corpus"
    problems: list[str] = []
    files = sorted(p.name for p in corpus_dir.glob("*.txt"))
    bad_names = [f for f in files if not FILE_RE.match(f)]
    if bad_names:
        problems.append(f"unexpected files in corpus: {bad_names[:5]}")
    with open(out / "questions.jsonl", encoding="utf-8") as fh:
        questions = [json.loads(line) for line in fh]
    keys = ["id", "question", "kind", "answerable", "gold_files", "answer_must"]
    cands: list[Candidate] = []
    by_file: dict[str, list[tuple[dict, Candidate]]] = {}
    for q in questions:
        expect = keys + (["gold_lines"] if q.get("kind") == "lookup" else [])
        if list(q) != expect:
            problems.append(f"{q.get('id')}: keys {list(q)} != {expect}")
            continue
        if q["kind"] == "unanswerable":
            if q["answerable"] or q["gold_files"] or q["answer_must"]:
                problems.append(f"{q['id']}: unanswerable with gold data")
            toks = frozenset(t for t in question_entities(q["question"]) if t not in VOCAB)
            c = Candidate("unanswerable", -1, q["question"], [], toks)
            cands.append(c)
            by_file.setdefault("", []).append((q, c))
            continue
        if not q["answerable"] or len(q["gold_files"]) != 1 or q["gold_files"][0] not in files:
            problems.append(f"{q['id']}: bad gold_files {q['gold_files']}")
            continue
        gold = q["gold_files"][0]
        index = int(gold[4:10])
        if q["kind"] == "qa":
            if not q["answer_must"] or not all(q["answer_must"]):
                problems.append(f"{q['id']}: empty answer_must")
            c = Candidate("qa", index, q["question"], q["answer_must"], frozenset(question_entities(q["question"])))
        elif q["kind"] == "lookup":
            lines = q["gold_lines"]
            if list(lines) != [gold] or len(lines[gold]) != 1:
                problems.append(f"{q['id']}: bad gold_lines {lines}")
                continue
            needle = _strip_needle(extract_quote(q["question"]))
            c = Candidate("lookup", index, q["question"], [], frozenset(TOKEN_RE.findall(needle)),
                          needle=needle, line=lines[gold][0])
        else:
            problems.append(f"{q['id']}: unknown kind {q['kind']}")
            continue
        if not c.tokens:
            problems.append(f"{q['id']}: names no entity")
            continue
        cands.append(c)
        by_file.setdefault(gold, []).append((q, c))

    # Per-file checks on the gold files.
    max_run = 0
    for gold, items in by_file.items():
        if not gold:
            continue
        text = (corpus_dir / gold).read_text(encoding="utf-8")
        lines = text.split("\n")
        low = text.lower()
        for q, c in items:
            if c.kind == "qa":
                for group in q["answer_must"]:
                    if not any(a.lower() in low for a in group):
                        problems.append(f"{q['id']}: no alternative of {group} in {gold}")
                missing = [t for t in c.tokens if t not in set(TOKEN_RE.findall(low))]
                if missing:
                    problems.append(f"{q['id']}: question names {missing}, absent from {gold}")
                qw = _question_words(q["question"])
                run = max(_longest_common_run(qw, _words(line)) for line in lines)
                max_run = max(max_run, run)
                if run > MAX_COPIED_RUN:
                    problems.append(f"{q['id']}: copies {run} consecutive words from {gold}")
            else:
                if not 1 <= c.line <= len(lines) or c.needle not in normalize(lines[c.line - 1]):
                    problems.append(f"{q['id']}: quote not in {gold} line {c.line}")

    # One pass over the whole corpus for uniqueness.
    def read_all():
        for name in files:
            if FILE_RE.match(name):
                yield int(name[4:10]), (corpus_dir / name).read_text(encoding="utf-8")

    words: list[int] = []
    unanswerable = [c for c in cands if c.kind == "unanswerable"]
    checkable = [c for c in cands if c.kind != "unanswerable"]
    watch = frozenset(t for c in unanswerable for t in c.tokens)

    def counting():
        for i, text in read_all():
            words.append(len(text.split()))
            yield i, text

    seen = _verify_against_corpus(counting(), checkable, watch)
    for c in unanswerable:
        if not c.tokens - seen:
            problems.append(f"{c.question!r}: every name in it occurs in the corpus")
    for c in checkable:
        if c.bad:
            what = {"qa": "its named entities also occur together in another file (or not in the gold file)",
                    "lookup": "the quote is not in exactly one line of the corpus (the gold line)"}[c.kind]
            problems.append(f"{c.question!r}: {what}")
    if words and (min(words) < MIN_WORDS or max(words) > MAX_WORDS):
        problems.append(f"word counts {min(words)}..{max(words)} outside {MIN_WORDS}..{MAX_WORDS}")
    kinds = {k: sum(q["kind"] == k for q in questions) for k in ("qa", "lookup", "unanswerable")}
    stats = {
        "articles": len(files), "questions": len(questions), "kinds": kinds,
        "bytes": sum((corpus_dir / f).stat().st_size for f in files),
        "words_min": min(words) if words else 0, "words_max": max(words) if words else 0,
        "words_mean": round(sum(words) / len(words), 1) if words else 0,
        "max_copied_run": max_run,
    }
    return CheckReport(problems, stats)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, help="number of articles to write (omit with --check to check DIR only)")
    ap.add_argument("--out", required=True, help="output directory (corpus/ and questions.jsonl)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--check", action="store_true", help="run the self-check; exit 1 if it fails")
    args = ap.parse_args(argv)
    if args.articles is None and not args.check:
        ap.error("--articles is required unless --check is given")
    if args.articles is not None:
        t0 = time.perf_counter()
        corpus_dir, qpath = make_corpus(args.articles, args.out, seed=args.seed, n_questions=args.questions)
        print(f"wrote {args.articles} articles to {corpus_dir} and {qpath} "
              f"in {time.perf_counter() - t0:.1f}s")
    if args.check:
        t0 = time.perf_counter()
        report = check_corpus(args.out)
        print("check:", json.dumps(report.stats), f"({time.perf_counter() - t0:.1f}s)")
        for p in report.problems[:50]:
            print("  FAIL", p)
        if report.problems:
            print(f"check failed: {len(report.problems)} problem(s)")
            return 1
        print("check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
