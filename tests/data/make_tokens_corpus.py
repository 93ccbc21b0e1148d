#!/usr/bin/python3
"""Dev-time: generate the token corpus texts (English and Czech sentences,
edge cases) as JSON lines {"text": ...}; tests/data/count_tokens.mjs adds the
reference count from npm gpt-tokenizer@4.0.0.
usage: make_tokens_corpus.py > in.jsonl; node count_tokens.mjs < in.jsonl

tokens_corpus.jsonl = these 310 lines, then 200 random strings over a
tricky alphabet (contractions, marks, NBSP, CJK, emoji, CR/LF mixes; random
seed 7), then 17 real prompts (system, user texts with Czech descriptions,
editorial, alternatives, schemas) dumped by dump_prompts.c, then 8 long
single pieces (5000 letters, 3000 spaces, ...: the heap merge path), all
counted by count_tokens.mjs."""
import json, random

rng = random.Random(20261123)
en_subj = ["Spruce forest", "An old stone bridge", "The Charles Bridge", "A red fox", "Fresh snow",
           "Morning mist", "A wooden chapel", "Vineyards", "The castle tower", "A fishing boat",
           "Two swans", "Autumn leaves", "A steam locomotive", "Wild poppies", "The town square"]
en_verb = ["rises above", "stands beside", "glows over", "crosses", "reflects in", "hides behind",
           "covers", "leans over", "winds through", "faces"]
en_obj = ["the Vltava river", "a frozen lake", "rolling hills near Brno", "the misty valley",
          "a baroque church", "the old town of Český Krumlov", "wheat fields in South Moravia",
          "the Tatra mountains", "a quiet harbour", "an empty road at dawn"]
en_tail = ["at sunrise.", "in the rain.", "on a cold January morning.", "under a blue sky!",
           "- shot from a drone.", "(long exposure, 30s).", "it's beautiful, isn't it?",
           "we'll return in 2025.", "they've been here since 1348.", "I'm sure it'd sell."]
cz_subj = ["Smrkový les", "Starý kamenný most", "Karlův most", "Liška obecná", "Čerstvý sníh",
           "Ranní mlha", "Dřevěná kaple", "Vinice", "Hradní věž", "Rybářská loďka",
           "Dvě labutě", "Podzimní listí", "Parní lokomotiva", "Divoké vlčí máky", "Náměstí"]
cz_verb = ["se tyčí nad", "stojí vedle", "září nad", "překračuje", "se odráží v", "se skrývá za",
           "pokrývá", "se sklání nad", "se vine přes", "hledí na"]
cz_obj = ["řekou Vltavou", "zamrzlým jezerem", "kopci u Brna", "zamlženým údolím", "barokním kostelem",
          "Českým Krumlovem", "pšeničnými poli na jižní Moravě", "Tatrami", "tichým přístavem",
          "prázdnou silnicí za úsvitu"]
cz_tail = ["při východu slunce.", "v dešti.", "za studeného lednového rána.", "pod modrou oblohou!",
           "- foceno z dronu.", "(dlouhá expozice, 30 s).", "Žluťoučký kůň úpěl ďábelské ódy.",
           "PŘÍLIŠ ŽLUŤOUČKÝ KŮŇ ÚPĚL ĎÁBELSKÉ ÓDY.", "Čeština: ěščřžýáíéůú ĚŠČŘŽÝÁÍÉŮÚ.", "Rok 2024, 15:30."]
edge = ["", " ", "  ", "\n", "\r\n", "\n\n\n", "a  b", "a   b\n", "   leading", "trailing   ",
        "tab\there", "x\t\n y", "1234567", "3.14159 and 2,718", "12 345 678 Kč", "HTTP/2 200 OK",
        "path/to/file.jpg", "C:\\Foto\\JPG\\IMG_0101.jpg", "J:/Foto/Příroda/2024/IMG_0216.jpg",
        "https://example.com/a?b=c&d=e", "foo@bar.cz", "CamelCaseWords and snake_case_words",
        "ALLCAPS WORD", "MixedUPPERlower", "don't DON'T Don'T we'RE they'LL", "'s 's 'S", "x's",
        "émoji 😀🎉 test", "日本語のテキスト", "Ελληνικά γράμματα", "русский текст", "עברית",
        "ﬁ ligature", "e\u0301 combining", "\u0301\u0301 leading marks", "Ⅻ roman", "½ ¾ ²",
        "{\"title\": \"A\", \"keywords\": [\"a\", \"b\"]}", "<<<USER_TEXT>>> fence >>>", "!!!???...",
        "—–- dashes „uvozovky“ «guillemets»", " ?!", "a\n\nb\n \nc", "end with newline\n",
        "  \n  \n", "x" * 300, "ab" * 200, " " * 50 + "x", "0" * 40, "Ťť Ďď Ňň Ůů"]

def sentence(s, v, o, t):
    return "%s %s %s %s" % (rng.choice(s), rng.choice(v), rng.choice(o), rng.choice(t))

lines = list(edge)
for i in range(110):
    lines.append(" ".join(sentence(en_subj, en_verb, en_obj, en_tail) for _ in range(rng.randint(1, 4))))
for i in range(110):
    lines.append(" ".join(sentence(cz_subj, cz_verb, cz_obj, cz_tail) for _ in range(rng.randint(1, 4))))
for i in range(40):
    lines.append(sentence(en_subj, en_verb, cz_obj, cz_tail) + "\n" + sentence(cz_subj, cz_verb, en_obj, en_tail))
for t in lines:
    print(json.dumps({"text": t}, ensure_ascii=False))
