"""The embedded tokenizer is made as XLM-R's: SentencePiece Unigram over raw text, Metaspace, XLM-R's special
tokens, ids and pair template, loadable by AutoTokenizer; real words are a few pieces; an unknown character is
<unk> on its own and leaves its neighbours and their offsets alone."""

import json
import random

import pytest
from transformers import AutoTokenizer

from xlt_core.models import ALWAYS_KNOWN, load_tokenizer, tiny_model_dir, train_tiny_tokenizer
from xlt_core.sample_data import UNSPACED, corpus, tagged_words
from xlt_core.tasks import LANGUAGES

PATTERNS = ["core", "place", "time", "neg"]
SNOWMAN = "\u2603"  # in no sample script: unknown to the tiny tokenizer


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("tiny")


def sentences(lang: str, n: int = 100) -> list[list[str]]:
    """Sentences as words (Chinese and Thai words are the lexicon's, written without spaces), drawn apart from
    the tokenizer's training corpus."""
    rng = random.Random(f"tokenizer-test-{lang}")
    return [[w for w, _ in tagged_words(lang, rng.choice(PATTERNS), rng)] for _ in range(n)]


def text_of(lang: str, words: list[str]) -> str:
    return ("" if lang in UNSPACED else " ").join(words)


def test_loads_as_xlmr_fast_tokenizer_with_xlmr_ids(tok):
    loaded = AutoTokenizer.from_pretrained(tiny_model_dir())
    assert type(loaded).__name__ == "XLMRobertaTokenizer" and loaded.is_fast
    assert [loaded.bos_token_id, loaded.pad_token_id, loaded.eos_token_id, loaded.unk_token_id] == [0, 1, 2, 3]
    assert loaded.mask_token_id == len(loaded) - 1 and loaded.convert_ids_to_tokens(len(loaded) - 1) == "<mask>"
    spec = json.loads(loaded.backend_tokenizer.to_str())
    assert spec["model"]["type"] == "Unigram" and spec["model"]["unk_id"] == 3
    assert not spec["model"]["byte_fallback"]
    metaspace = [p for p in spec["pre_tokenizer"]["pretokenizers"] if p["type"] == "Metaspace"]
    assert metaspace == [{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}]
    a, b = (loaded(t, add_special_tokens=False)["input_ids"] for t in ("The teacher reads.", "Who reads?"))
    assert loaded("The teacher reads.", "Who reads?")["input_ids"] == [0, *a, 2, 2, *b, 2]


def test_real_words_are_a_few_pieces(tok):
    per_word = {}
    for lang in LANGUAGES:
        sents = sentences(lang)
        pieces = sum(len(tok(text_of(lang, s), add_special_tokens=False)["input_ids"]) for s in sents)
        per_word[lang] = pieces / sum(map(len, sents))
    spaced = {lang: v for lang, v in per_word.items() if lang not in UNSPACED}
    assert max(spaced.values()) <= 3.6, spaced  # not spelt out letter by letter (5 or more)
    assert sum(spaced.values()) / len(spaced) >= 1.5, spaced  # nor whole words learnt by heart


def test_chinese_and_thai_pieces_cross_word_boundaries(tok):
    """Trained on raw text as XLM-R's: some pieces span what a word segmenter would split."""
    for lang in UNSPACED:
        crossing = 0
        for words in sentences(lang):
            bounds = {sum(map(len, words[:k])) for k in range(1, len(words))}
            enc = tok(text_of(lang, words), add_special_tokens=False, return_offsets_mapping=True)
            crossing += sum(any(s < b < e for b in bounds) for s, e in enc["offset_mapping"])
        assert crossing > 0, lang


def test_every_corpus_character_digit_and_punctuation_is_known(tok):
    vocab = tok.get_vocab()
    assert [c for c in ALWAYS_KNOWN if c not in vocab] == []
    for lang in LANGUAGES:
        text = " ".join(text_of(lang, s) for s in sentences(lang, 30))
        assert tok.unk_token_id not in tok(text)["input_ids"], lang


@pytest.mark.parametrize("text,unknown", [(f"({SNOWMAN}118)", (1, 2)), (f"老师{SNOWMAN}2024年", (2, 3)),
                                          (f"ครู[{SNOWMAN}]", (4, 5)), (f"x{SNOWMAN}{SNOWMAN}.", (1, 3))])
def test_unknown_character_keeps_to_itself(tok, text, unknown):
    """An unknown character is one <unk> spanning only itself (a run of them is one <unk>, as in SentencePiece);
    digits, brackets and letters around it stay their own pieces with their own offsets."""
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    pieces = tok.convert_ids_to_tokens(enc["input_ids"])
    spans = [tuple(o) for o in enc["offset_mapping"]]
    assert [s for p, s in zip(pieces, spans) if p == "<unk>"] == [unknown]
    known = "".join(text[s:e] for p, (s, e) in zip(pieces, spans) if p not in ("<unk>", "▁"))
    assert known == text[:unknown[0]] + text[unknown[1]:]
    for p, (s, e) in zip(pieces, spans):
        if p not in ("<unk>", "▁"):
            assert text[s:e] == p.lstrip("▁")


def test_offsets_spell_every_piece(tok):
    for lang in LANGUAGES:
        text = text_of(lang, sum(sentences(lang, 5), []))
        enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
        for piece, (s, e) in zip(tok.convert_ids_to_tokens(enc["input_ids"]), enc["offset_mapping"]):
            if piece != "▁":  # a bare "▁" gets the span of the character after it, as with XLM-R
                assert text[s:e] == piece.lstrip("▁"), (lang, piece)


def test_training_is_deterministic():
    """The trainer orders some pieces by hash: two trainings in one process must still give one tokenizer."""
    texts = corpus(60)
    first, second = (train_tiny_tokenizer(texts).backend_tokenizer.to_str() for _ in range(2))
    assert first == second


# real text, written for this test (not from the sample lexicon): every letter of every task script is known
REAL = {"zh": "北京是中华人民共和国的首都，位于华北平原的北部。", "ja": "東京は日本の首都であり、最大の都市です。",
        "ko": "서울은 대한민국의 수도이자 최대 도시이다.", "th": "กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย",
        "ru": "Россия — крупнейшее по площади государство мира.", "de": "Die Universität wurde 1386 gegründet.",
        "ar": "القاهرة هي عاصمة جمهورية مصر العربية.", "hi": "भारत दक्षिण एशिया में स्थित एक देश है।",
        "el": "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας.", "vi": "Hà Nội là thủ đô của Việt Nam.",
        "tr": "İstanbul, Türkiye'nin en kalabalık şehridir.", "he": "ירושלים היא בירת ישראל.",
        "ka": "თბილისი საქართველოს დედაქალაქია.", "bn": "ঢাকা বাংলাদেশের রাজধানী।",
        "ta": "சென்னை தமிழ்நாட்டின் தலைநகரம்.", "te": "హైదరాబాద్ తెలంగాణ రాజధాని.",
        "ml": "തിരുവനന്തപുരം കേരളത്തിന്റെ തലസ്ഥാനമാണ്.", "my": "ရန်ကုန်သည် မြန်မာနိုင်ငံ၏ မြို့တော်ဟောင်း ဖြစ်သည်။",
        "yo": "Èkó jẹ́ ìlú tó tóbi jù lọ ní Nàìjíríà.", "fa": "تهران پایتخت ایران است.",
        "ur": "اسلام آباد پاکستان کا دارالحکومت ہے۔", "kk": "Астана — Қазақстанның астанасы."}


@pytest.mark.parametrize("lang", sorted(REAL))
def test_real_text_of_every_script_has_no_unknown_character(tok, lang):
    enc = tok(REAL[lang], add_special_tokens=False, return_offsets_mapping=True)
    unknown = [REAL[lang][s:e] for i, (s, e) in zip(enc["input_ids"], enc["offset_mapping"]) if i == tok.unk_token_id]
    assert unknown == [], lang
    assert tok.decode(enc["input_ids"]).replace(" ", "") == REAL[lang].replace(" ", "")  # nothing lost


def test_the_common_han_and_hangul_characters_are_the_standards_first_levels():
    """GB 2312 level 1 (3,755 hanzi, 啊 first), JIS X 0208 level 1 (2,965 kanji, 亜 first), KS X 1001's 2,350
    Hangul syllables (가 first, 힝 last)."""
    from xlt_core.models import COMMON_LEVELS, common_characters

    gb, jis, ks = (common_characters(*level) for level in COMMON_LEVELS.values())
    assert (len(gb), len(jis), len(ks)) == (3755, 2965, 2350)
    assert (gb[0], jis[0], ks[0], ks[-1]) == ("啊", "亜", "가", "힝")
