"""Small hand-written lexicons for the generated sample data, one per XNLI language.

Each language has subjects, verbs, objects, place and time phrases, and sentence patterns in its own word order:
`core` (subject-verb-object), `place` and `time` (core plus a phrase), `neg` (a negated core) and `end` punctuation.
`sep` joins words: "" for Chinese and Thai, which are written without spaces between words.
Agreement is not always exact (a fixed verb form for every subject): the sentences are sample data, not corpora.
"""

import functools


LEXICON = {
    "en": dict(
        s=["the teacher", "my sister", "the old man", "a young doctor", "the farmer", "our neighbour"],
        v=["reads", "buys", "cleans", "paints", "sells", "carries"],
        o=["a book", "the red car", "fresh bread", "an old table", "the small boat", "a blue chair"],
        p=["in the park", "at the market", "near the river", "in the kitchen"],
        t=["every morning", "on Sunday", "after dinner"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="it is not true that {core}", end=".",
    ),
    "fr": dict(
        s=["le professeur", "ma sœur", "le vieil homme", "une jeune médecin", "le fermier", "notre voisin"],
        v=["lit", "achète", "nettoie", "peint", "vend", "porte"],
        o=["un livre", "la voiture rouge", "du pain frais", "une vieille table", "le petit bateau", "une chaise bleue"],
        p=["dans le parc", "au marché", "près de la rivière", "dans la cuisine"],
        t=["chaque matin", "le dimanche", "après le dîner"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="il est faux que {core}", end=".",
    ),
    "es": dict(
        s=["el profesor", "mi hermana", "el anciano", "una joven médica", "el granjero", "nuestro vecino"],
        v=["lee", "compra", "limpia", "pinta", "vende", "lleva"],
        o=["un libro", "el coche rojo", "pan fresco", "una mesa vieja", "el barco pequeño", "una silla azul"],
        p=["en el parque", "en el mercado", "cerca del río", "en la cocina"],
        t=["cada mañana", "el domingo", "después de cenar"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="no es verdad que {core}", end=".",
    ),
    "de": dict(
        s=["der Lehrer", "meine Schwester", "der alte Mann", "eine junge Ärztin", "der Bauer", "unser Nachbar"],
        v=["liest", "kauft", "putzt", "malt", "verkauft", "trägt"],
        o=["ein Buch", "das rote Auto", "frisches Brot", "einen alten Tisch", "das kleine Boot", "einen blauen Stuhl"],
        p=["im Park", "auf dem Markt", "am Fluss", "in der Küche"],
        t=["jeden Morgen", "am Sonntag", "nach dem Abendessen"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="es ist falsch: {core}", end=".",
    ),
    "ru": dict(
        s=["учитель", "моя сестра", "старик", "молодой врач", "фермер", "наш сосед"],
        v=["читает", "покупает", "чистит", "рисует", "продаёт", "несёт"],
        o=["книгу", "красную машину", "свежий хлеб", "старый стол", "маленькую лодку", "синий стул"],
        p=["в парке", "на рынке", "у реки", "на кухне"],
        t=["каждое утро", "в воскресенье", "после ужина"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="неправда, что {core}", end=".",
    ),
    "bg": dict(
        s=["учителят", "сестра ми", "старецът", "млада лекарка", "фермерът", "нашият съсед"],
        v=["чете", "купува", "чисти", "рисува", "продава", "носи"],
        o=["книга", "червената кола", "пресен хляб", "стара маса", "малката лодка", "син стол"],
        p=["в парка", "на пазара", "край реката", "в кухнята"],
        t=["всяка сутрин", "в неделя", "след вечеря"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="не е вярно, че {core}", end=".",
    ),
    "el": dict(
        s=["ο δάσκαλος", "η αδελφή μου", "ο γέρος", "μια νεαρή γιατρός", "ο αγρότης", "ο γείτονάς μας"],
        v=["διαβάζει", "αγοράζει", "καθαρίζει", "ζωγραφίζει", "πουλάει", "κουβαλάει"],
        o=["ένα βιβλίο", "το κόκκινο αυτοκίνητο", "φρέσκο ψωμί", "ένα παλιό τραπέζι", "τη μικρή βάρκα", "μια μπλε καρέκλα"],
        p=["στο πάρκο", "στην αγορά", "κοντά στο ποτάμι", "στην κουζίνα"],
        t=["κάθε πρωί", "την Κυριακή", "μετά το δείπνο"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="δεν είναι αλήθεια ότι {core}", end=".",
    ),
    "ar": dict(
        s=["المعلم", "أختي", "الرجل العجوز", "طبيبة شابة", "المزارع", "جارنا"],
        v=["يقرأ", "يشتري", "ينظف", "يرسم", "يبيع", "يحمل"],
        o=["كتابا", "السيارة الحمراء", "خبزا طازجا", "طاولة قديمة", "القارب الصغير", "كرسيا أزرق"],
        p=["في الحديقة", "في السوق", "قرب النهر", "في المطبخ"],
        t=["كل صباح", "يوم الأحد", "بعد العشاء"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="ليس صحيحا أن {core}", end=".",
    ),
    "tr": dict(
        s=["öğretmen", "kız kardeşim", "yaşlı adam", "genç bir doktor", "çiftçi", "komşumuz"],
        v=["okuyor", "satın alıyor", "temizliyor", "boyuyor", "satıyor", "taşıyor"],
        o=["bir kitap", "kırmızı arabayı", "taze ekmek", "eski bir masa", "küçük tekneyi", "mavi bir sandalye"],
        p=["parkta", "pazarda", "nehrin yanında", "mutfakta"],
        t=["her sabah", "pazar günü", "akşam yemeğinden sonra"],
        core="{s} {o} {v}", place="{s} {p} {o} {v}", time="{s} {t} {o} {v}", neg="{core}, bu doğru değil", end=".",
    ),
    "hi": dict(
        s=["शिक्षक", "मेरी बहन", "बूढ़ा आदमी", "एक युवा डॉक्टर", "किसान", "हमारा पड़ोसी"],
        v=["पढ़ता है", "खरीदता है", "साफ़ करता है", "रंगता है", "बेचता है", "उठाता है"],
        o=["एक किताब", "लाल गाड़ी", "ताज़ी रोटी", "एक पुरानी मेज़", "छोटी नाव", "एक नीली कुर्सी"],
        p=["पार्क में", "बाज़ार में", "नदी के पास", "रसोई में"],
        t=["हर सुबह", "रविवार को", "रात के खाने के बाद"],
        core="{s} {o} {v}", place="{s} {p} {o} {v}", time="{s} {t} {o} {v}", neg="यह सच नहीं है कि {core}", end="।",
    ),
    "ur": dict(
        s=["استاد", "میری بہن", "بوڑھا آدمی", "ایک نوجوان ڈاکٹر", "کسان", "ہمارا پڑوسی"],
        v=["پڑھتا ہے", "خریدتا ہے", "صاف کرتا ہے", "رنگتا ہے", "بیچتا ہے", "اٹھاتا ہے"],
        o=["ایک کتاب", "سرخ گاڑی", "تازہ روٹی", "ایک پرانی میز", "چھوٹی کشتی", "ایک نیلی کرسی"],
        p=["پارک میں", "بازار میں", "دریا کے پاس", "باورچی خانے میں"],
        t=["ہر صبح", "اتوار کو", "رات کے کھانے کے بعد"],
        core="{s} {o} {v}", place="{s} {p} {o} {v}", time="{s} {t} {o} {v}", neg="یہ سچ نہیں کہ {core}", end="۔",
    ),
    "sw": dict(
        s=["mwalimu", "dada yangu", "mzee", "daktari kijana", "mkulima", "jirani yetu"],
        v=["anasoma", "ananunua", "anasafisha", "anapaka rangi", "anauza", "anabeba"],
        o=["kitabu", "gari jekundu", "mkate mpya", "meza ya zamani", "mashua ndogo", "kiti cha bluu"],
        p=["bustanini", "sokoni", "karibu na mto", "jikoni"],
        t=["kila asubuhi", "siku ya Jumapili", "baada ya chakula cha jioni"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="si kweli kwamba {core}", end=".",
    ),
    "vi": dict(
        s=["thầy giáo", "chị gái tôi", "ông già", "một bác sĩ trẻ", "người nông dân", "hàng xóm của chúng tôi"],
        v=["đọc", "mua", "lau", "sơn", "bán", "mang"],
        o=["một cuốn sách", "chiếc xe màu đỏ", "bánh mì tươi", "một cái bàn cũ", "chiếc thuyền nhỏ", "một cái ghế màu xanh"],
        p=["trong công viên", "ở chợ", "gần con sông", "trong bếp"],
        t=["mỗi sáng", "vào Chủ nhật", "sau bữa tối"],
        core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}", neg="không đúng là {core}", end=".",
    ),
    "th": dict(
        s=["ครู", "พี่สาวของฉัน", "ชายชรา", "หมอหนุ่ม", "ชาวนา", "เพื่อนบ้านของเรา"],
        v=["อ่าน", "ซื้อ", "ทำความสะอาด", "ทาสี", "ขาย", "ถือ"],
        o=["หนังสือ", "รถสีแดง", "ขนมปังสด", "โต๊ะเก่า", "เรือลำเล็ก", "เก้าอี้สีฟ้า"],
        p=["ในสวนสาธารณะ", "ที่ตลาด", "ใกล้แม่น้ำ", "ในครัว"],
        t=["ทุกเช้า", "ในวันอาทิตย์", "หลังอาหารเย็น"],
        core="{s}{v}{o}", place="{s}{v}{o}{p}", time="{s}{v}{o}{t}", neg="ไม่จริงที่{core}", end="",
    ),
    "zh": dict(
        s=["老师", "我的姐姐", "老人", "一位年轻医生", "农民", "我们的邻居"],
        v=["读", "买", "打扫", "画", "卖", "搬"],
        o=["一本书", "那辆红色的车", "新鲜的面包", "一张旧桌子", "那条小船", "一把蓝色的椅子"],
        p=["在公园里", "在市场上", "在河边", "在厨房里"],
        t=["每天早上", "星期天", "晚饭后"],
        core="{s}{v}{o}", place="{s}{p}{v}{o}", time="{s}{t}{v}{o}", neg="{core}，这不是真的", end="。",
    ),
}


# What real text in every script carries besides its own words (sample_data.decorate puts it in) ------------------
# Latin names and numbers inside text of any script (mixed scripts): persons, organisations, numbers
NAMES = ("Mozart", "Gödel", "Ada Lovelace")
ORGS = ("NASA", "UNESCO", "FC Barcelona")
NUMBERS = ("118", "1848", "3.14", "COVID-19", "iPhone 12")
PUNCTUATION = (",", "(", ")", "«", "»", "—", "…", '"', ";", "%")
LOCAL_PUNCTUATION = {"ar": ("،", "؛", "؟"), "fa": ("،", "؛"), "ur": ("،", "؟"), "zh": ("，", "、", "「", "」", "（", "）"),
                     "ja": ("、", "「", "」"), "hi": ("—",), "th": ("ฯ",), "he": ("״",), "el": (";", "·")}
RTL = ("ar", "fa", "he", "ur")
# Characters of no lexicon and of no corpus the tiny tokenizer learns from: they stay unknown to it (a Han
# character, one outside the Basic Multilingual Plane, archaic Cyrillic, a click letter, Runic, a symbol)
UNSEEN = ("龘", "𠀋", "ꙮ", "ǂ", "ᚠ", "☃")
BOM, NBSP, IDEOGRAPHIC_SPACE = "\ufeff", "\u00a0", "\u3000"
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d")  # space, non-joiner, joiner
LRM, RLM = "\u200e", "\u200f"
COMBINING_ACUTE = "\u0301"


# Languages without a hand-written lexicon get pseudo-words in their own script: the sample data then exercises
# every script of every task (tokenisation, offsets, retrieval), not the meaning of the words.
SCRIPT_LETTERS = {
    "Latin": "abcdefghijklmnopqrstuvwxyzäöüéèáíóúñçšž", "Arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "Bengali": (0x0985, 0x09B9), "Devanagari": (0x0905, 0x0939), "Georgian": (0x10D0, 0x10F0),
    "Cyrillic": "абвгдежзийклмнопрстуфхцчшыэюяәғқңөұүі", "Hangul": (0xAC00, 0xAD00),
    "Japanese": (0x3041, 0x3096), "Malayalam": (0x0D05, 0x0D39), "Myanmar": (0x1000, 0x1021),
    "Tamil": (0x0B85, 0x0BB9), "Telugu": (0x0C05, 0x0C39), "Hebrew": (0x05D0, 0x05EA), "Greek": "αβγδεζηθικλμνξοπρστυφχψω",
}
UNSPACED_SCRIPTS = {"Japanese", "Han", "Thai", "Myanmar"}


def pseudo_lexicon(lang: str, script: str) -> dict:
    import random
    import unicodedata
    import zlib

    letters = SCRIPT_LETTERS[script]
    if isinstance(letters, tuple):
        letters = "".join(c for c in map(chr, range(*letters)) if unicodedata.category(c).startswith("L"))
    rng = random.Random(zlib.crc32(lang.encode()))

    def word(n=None):
        return "".join(rng.choice(letters) for _ in range(n or rng.randint(2, 5)))

    def phrase(words):
        return " ".join(word() for _ in range(words))

    return dict(s=[phrase(2) for _ in range(6)], v=[word() for _ in range(6)], o=[phrase(2) for _ in range(6)],
                p=[phrase(2) for _ in range(4)], t=[phrase(2) for _ in range(3)],
                core="{s} {v} {o}", place="{s} {v} {o} {p}", time="{s} {v} {o} {t}",
                neg=word(3) + " " + word(2) + " {core}", end=".")


@functools.lru_cache(maxsize=None)
def lexicon(lang: str) -> dict:
    """The hand-written lexicon of `lang`, or pseudo-words in its script."""
    if lang in LEXICON:
        return LEXICON[lang]
    from .tasks import LANGUAGES

    return pseudo_lexicon(lang, LANGUAGES[lang][1])
