"""Negative / neutral / positive, with a score in [-1, 1], for French and English posts.

Both languages run through vaderSentiment's rule engine (negation, "but", ALL CAPS, "!!!",
emoji and emoticons): the English lexicon ships in its wheel; the French one is vader_FR's lexicon
(MIT, `data/fr_lexicon.txt`) plus our `data/fr_social.txt` of social-media words. What VADER
cannot know is done here, thinly: stretched words ("nuuuul"), French chat spelling ("jsuis",
"c nul", "tkt"), French negation ("ne ... pas") and boosters rewritten into the forms the engine
understands, and a few customer-service phrases that carry no sentiment word ("still waiting",
"toujours pas reçu")."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from importlib import resources

from bot.triage.text import prepared, strip_accents


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


NEGATIVE_BELOW = -0.2
POSITIVE_ABOVE = 0.3  # a polite "thanks" in a complaint must not read as praise

# Domain words VADER rates for other contexts ("refund" is neither good nor bad news here).
_EN_OVERRIDES = {"refund": 0.0, "charged": -0.6, "broken": -2.0, "bug": -1.2, "buggy": -1.8, "crash": -1.6,
                 "crashes": -1.6, "crashing": -1.8, "outage": -1.8, "scam": -3.0, "ripoff": -2.6, "useless": -2.4,
                 "laggy": -1.5, "slow": -1.2, "rude": -2.0, "unacceptable": -2.6, "ridiculous": -2.0, "joke": -0.8,
                 "delayed": -1.0, "missing": -1.0, "overcharged": -2.0, "glitch": -1.3, "glitchy": -1.6,
                 "lifesaver": 2.5, "smooth": 1.5, "fixed": 1.2, "legend": 2.0, "quick": 0.8, "fast": 0.8,
                 "finally": 0.0, "pls": 0.0, "please": 0.0, "lol": 0.4, "lmao": 0.6, "kinda": 0.0, "cancel": -0.4}

_EN_SLANG = {"u": "you", "ur": "your", "luv": "love", "gr8": "great", "thx": "thanks", "ty": "thanks",
             "tysm": "thanks", "srsly": "seriously", "rly": "really", "sooo": "so", "amazin": "amazing",
             "dont": "don't", "doesnt": "doesn't", "cant": "can't", "wont": "won't", "isnt": "isn't",
             "didnt": "didn't", "wasnt": "wasn't", "havent": "haven't", "hasnt": "hasn't"}

# Emoji whose Unicode names carry no sentiment word ("pouting face"): the word they mean on social media.
_EMOJI_WORDS = {"😡": "angry", "🤬": "furious", "😤": "annoyed", "😠": "angry", "👎": "bad", "💩": "crap",
                "🔥": "awesome", "💯": "perfect", "🙌": "yay", "👏": "applause", "🤮": "disgusting", "😒": "annoyed",
                "😩": "miserable", "😫": "miserable", "🤡": "ridiculous", "💔": "heartbroken"}
_EMOJI = re.compile("|".join(map(re.escape, _EMOJI_WORDS)))

# Chat spelling → words of the lexicon (after accents are stripped and elisions split).
_FR_SLANG = {"jsuis": "je suis", "chui": "je suis", "jsui": "je suis", "c": "ce est", "cest": "ce est",
             "g": "je ai", "jai": "je ai", "tkt": "ne inquiete pas", "mdr": "lol", "ptdr": "lol", "xd": "lol",
             "pk": "pourquoi", "pq": "pourquoi", "bcp": "beaucoup", "tjrs": "toujours", "tjs": "toujours",
             "vrmt": "vraiment", "vrm": "vraiment", "stp": "", "svp": "", "dsl": "desole", "nimp": "nimporte",
             "jpp": "", "wsh": "", "wesh": "", "ya": "il y a", "yapas": "il ne y a pas", "ct": "ce etait",
             "koi": "quoi", "kwa": "quoi", "mm": "meme", "pr": "pour", "ds": "dans", "tt": "tout", "jamais": "jamais",
             "jpeux": "je peux", "jvais": "je vais", "jcomprends": "je comprends", "pa": "pas", "po": "pas",
             "oklm": "tranquille", "bg": "genial", "jador": "je adore", "jadore": "je adore", "chelou": "bizarre"}
_FR_NEGATORS = {"pas", "plus", "jamais", "rien", "point", "guere", "aucun", "aucune", "personne"}
_FR_ALONE_NEGATORS = {"pas", "jamais", "rien", "aucun", "aucune", "sans"}
_FR_BOOSTERS = {"tres": "very", "trop": "very", "vraiment": "really", "tellement": "so", "grave": "very",
                "hyper": "very", "ultra": "very", "archi": "very", "completement": "completely",
                "totalement": "totally", "super": "very", "mega": "very", "carrement": "totally",
                "peu": "slightly", "assez": "quite", "mais": "but", "cependant": "but", "pourtant": "but",
                "sinon": "but"}

# Customer-service phrases with no sentiment word: a nudge towards negative (or positive).
_CUES = {
    "en": [(re.compile(p, re.IGNORECASE), v) for p, v in [
        (r"\bstill (no|not|nothing|waiting|haven'?t|hasn'?t|can'?t|broken|down)\b", -0.45),
        (r"\b(doesn'?t|does not|don'?t|won'?t|can'?t|cannot|isn'?t|not|stopped|never) "
         r"(work|working|load|loading|open|opening|arrive|arrived|connect|respond|responding|answer|sync)", -0.45),
        (r"\b(no|zero|without any) (answer|response|reply|update|refund|news|one)\b", -0.4),
        (r"\bwhere('?s| is) my\b", -0.35), (r"\b(charged|billed) (me )?(twice|two times|again)\b", -0.5),
        (r"\b(on hold|waiting) for (\d+|an?|two|three) (hours?|days?|weeks?|months?)\b", -0.4),
        (r"\b(\d+|two|three|four) (days|weeks|months) (later|now|and)\b", -0.3),
        (r"\bthanks for nothing\b|/s\b|🙃|🙄|\bgreat,? (another|again)\b|\byeah right\b", -0.9),
        (r"\b(cancel(l?ing)?|unsubscribe|switching to|never again|last time)\b", -0.35),
        (r"\b(keep|kept) (crashing|failing|freezing|logging me out)\b", -0.4),
        (r"\b(again|(third|fourth|fifth|\d+(st|nd|rd|th)) time|(three|four|five|\d+) times)\b", -0.3),
        (r"\b(nobody|no one|no-one) (answers|replies|cares|told|can|helps|is)\b|\bexplain\??$", -0.4),
        (r"\b(for nothing|money back|don'?t buy|never happened|doesn'?t exist|refused|declined|"
         r"went (up|downhill)|fell apart|locked out|hung up|wrong (gate|item|size|order|city))\b", -0.45),
        (r"\b(for|after) (\d+|two|three|four|five) (days|weeks|months)\b|\b(\d+|nine|ten) days later\b", -0.3),
        (r"\b(shout ?out|kudos|props|well done|nailed it|thank you so much|big thanks)\b", 0.4)]],
    "fr": [(re.compile(p, re.IGNORECASE), v) for p, v in [
        (r"\btoujours (pas|rien|aucun|aucune|en attente|bloque|en panne)\b", -0.45),
        (r"\b(ne |n'?)?(marche|fonctionne|charge|repond|s'ouvre|se connecte)(nt)? (pas|plus|jamais)\b", -0.45),
        (r"\b(pas|jamais) (recu|arrive|livre|rembourse|eu de reponse)", -0.45),
        (r"\b(aucune|pas de|sans) (reponse|nouvelle|nouvelles|retour|remboursement|solution)\b", -0.4),
        (r"\b(ou est|ou en est|c'est quand) (ma|mon|le|la)\b", -0.3),
        (r"\b(preleve|debite|facture)s? (deux|2) fois\b", -0.5),
        (r"\bdepuis (\d+|deux|trois|quatre|une|un) (heures?|jours?|semaines?|mois)\b", -0.3),
        (r"\bmerci pour rien\b|/s\b|🙃|🙄|\bbravo (encore|pour)\b|\bencore (une|un) (fois|panne|bug)\b", -0.9),
        (r"\b(resilier|resiliation|je me desabonne|plus jamais|je change d'operateur|je pars chez)\b", -0.4),
        (r"\bpas mal\b", 0.6),
        (r"\b(encore|(troisieme|quatrieme|\d+e) fois|(trois|quatre|cinq|\d+) fois (que|de suite))\b", -0.3),
        (r"\b(personne (ne|qui|n'))|\bon m'explique\b|\bexpliquer pourquoi\b", -0.4),
        (r"\b(pour rien|etre rembourse|achetez pas|n'existe pas|refusee?|jamais eu|a chute|"
         r"parler a un mur|raccroche|sans prevenir|camelote|n'importe quoi|bloque dehors|"
         r"mauvaise (ville|taille|adresse|commande))\b", -0.45),
        (r"\bdepuis (\d+|deux|trois|quatre|cinq) (jours|semaines|mois)\b|\b(\d+|neuf|dix) jours (apres|plus tard)\b", -0.3),
        (r"\b(au top|chapeau|merci beaucoup|merci mille fois|un grand merci|rien a dire)\b", 0.4)]],
}
# One pass per post: every cue is a named alternative of a single pattern.
_CUE_RE = {lang: re.compile("|".join(f"(?P<c{i}>{p.pattern})" for i, (p, _) in enumerate(cues)), re.IGNORECASE)
           for lang, cues in _CUES.items()}
_CUE_VALUE = {lang: {f"c{i}": v for i, (_, v) in enumerate(cues)} for lang, cues in _CUES.items()}
_ELISION = re.compile(r"\b(qu|[cdjlmnst])['’]", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")


@lru_cache(maxsize=2)
def _analyzer(lang: str):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    if lang == "en":
        sia.lexicon.update(_EN_OVERRIDES)
        return sia
    # French words take precedence; English stays for emoji descriptions and franglais ("trop nice").
    lexicon = dict(sia.lexicon)
    for name in ("fr_lexicon.txt", "fr_social.txt"):
        for line in resources.files("bot.triage").joinpath("data", name).read_text("utf-8").splitlines():
            word, sep, value = line.strip().rpartition("->")
            if sep and word and not word.startswith("#") and not (len(word) == 1 and word.isalpha()):
                lexicon[strip_accents(word.lower())] = float(value)
    sia.lexicon = {w: v for w, v in lexicon.items() if not (len(w) == 1 and w.isalpha())}
    return sia


def sentiment(text: str, lang: str) -> tuple[Sentiment, float]:
    """(label, score); `lang` other than fr/en: whichever reading is the more confident."""
    if lang not in ("fr", "en"):
        fr, en = _score(text, "fr"), _score(text, "en")
        score = fr if abs(fr) > abs(en) else en
    else:
        score = _score(text, lang)
    if score <= NEGATIVE_BELOW:
        return Sentiment.NEGATIVE, score
    if score >= POSITIVE_ABOVE:
        return Sentiment.POSITIVE, score
    return Sentiment.NEUTRAL, score


def _score(text: str, lang: str) -> float:
    clean, stretched = prepared(text or "")
    if lang == "fr":
        clean = strip_accents(clean)
        engine_text = _french(clean)
    else:
        engine_text = " ".join(_EN_SLANG.get(t.lower(), t) for t in _TOKEN.findall(clean))
    engine_text = _EMOJI.sub(lambda m: f" {_EMOJI_WORDS[m.group(0)]} ", engine_text)
    if stretched and not engine_text.rstrip().endswith("!"):
        engine_text += " !"  # "nuuuul" is said louder than "nul"
    low = clean.lower()
    values = _CUE_VALUE[lang]
    cues = [values[m.lastgroup] for m in _CUE_RE[lang].finditer(low) if m.lastgroup]
    compound = _analyzer(lang).polarity_scores(engine_text)["compound"]
    if any(v < 0 for v in cues):
        # A complaint phrase outweighs the polite or sarcastic praise around it ("Great.", "merci hein").
        compound = min(compound, 0.0)
    elif "?" in clean and abs(compound) < 0.6:
        compound /= 2  # a question is a request: a stray lexicon word must not make it praise or anger
    return round(max(-1.0, min(1.0, compound + sum(cues))), 3)


def _french(text: str) -> str:
    """Rewrite French into what VADER's rules read: "ce n'est pas top" → "ce not est top" (one
    negator before the word it negates), "trop bien" → "very bien", "c nul" → "ce est nul"."""
    words: list[str] = []
    for raw in _TOKEN.findall(_ELISION.sub(lambda m: m.group(1) + "e ", text)):
        core = raw.strip(".,;:!?…\"()«»").lower()
        repl = _FR_SLANG.get(core)
        if repl is not None:
            words.extend((repl.upper() if raw.isupper() and len(raw) > 1 else repl).split())
            continue
        words.append(raw)
    out: list[str] = []
    pending_ne = 0  # a "ne" was turned into "not": its "pas" must not negate a second time
    for i, w in enumerate(words):
        low = w.strip(".,;:!?…\"()«»").lower()
        if low == "ne":
            out.append("not")
            pending_ne = 3
            continue
        if low in _FR_NEGATORS and pending_ne:
            pending_ne = 0
            continue
        pending_ne = max(0, pending_ne - 1)
        if low in _FR_ALONE_NEGATORS:
            out.append("not")  # spoken French drops the "ne": "c'est pas top"
        elif low in _FR_BOOSTERS and i + 1 < len(words):
            out.append(_FR_BOOSTERS[low] + w[len(w.rstrip("!?.,")):])
        else:
            out.append(w)
    return " ".join(out)
