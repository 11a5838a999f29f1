"""THE table of tasks. Every task the project knows is one `TaskSpec` entry in `TASKS`; nothing else names a task's
languages, hub location, columns or labels. Adding a task = adding an entry (plus a metric function if it is new).

Language lists follow google-research/xtreme evaluate.py; XCOPA follows XTREME-R.
Roles: "target" tasks are evaluated zero-shot per language; "intermediate" tasks are the English intermediate
tasks of the study; "source" entries are data only (training sets of targets, parts of ANLI+, MLM text,
machine-translated training data).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import XltError, one_of

NLI_LABELS = ("entailment", "neutral", "contradiction")
UPOS = ("ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT", "SCONJ",
        "SYM", "VERB", "X")
NER = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")

# Approximate sizes on the hub (English training examples; evaluation examples per language), used only to
# estimate the compute of a sweep before it runs (xlt sweep plan). Rounded from the datasets' cards.
APPROX_SIZES = {"mnli": (392_702, 9_815), "anli": (162_865, 3_200), "qqp": (363_846, 40_430),
                "squad": (87_599, 10_570), "squad_v2": (130_319, 11_873), "hellaswag": (39_905, 10_042),
                "cosmosqa": (25_262, 2_985), "commonsenseqa": (9_741, 1_221), "ccg": (39_604, 2_407),
                "snli": (550_152, 9_842), "siqa": (33_410, 1_954), "copa": (400, 100), "xnli_mt": (392_702, 2_490),
                "xnli": (392_702, 5_010), "pawsx": (49_401, 2_000), "udpos": (21_253, 2_000), "panx": (20_000, 10_000),
                "xquad": (87_599, 1_190), "mlqa": (87_599, 5_000), "tydiqa": (3_696, 700), "bucc2018": (0, 20_000),
                "tatoeba": (0, 1_000), "xcopa": (400, 500), "pawsx_mt": (49_401, 0), "mlm": (0, 0)}

# ISO 639-1 code -> (English name, script, family). The dashboard groups languages by the last two fields.
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "af": ("Afrikaans", "Latin", "Germanic"), "ar": ("Arabic", "Arabic", "Semitic"),
    "bg": ("Bulgarian", "Cyrillic", "Slavic"), "bn": ("Bengali", "Bengali", "Indo-Aryan"),
    "de": ("German", "Latin", "Germanic"), "el": ("Greek", "Greek", "Hellenic"),
    "en": ("English", "Latin", "Germanic"), "es": ("Spanish", "Latin", "Romance"),
    "et": ("Estonian", "Latin", "Uralic"), "eu": ("Basque", "Latin", "Isolate"),
    "fa": ("Persian", "Arabic", "Iranian"), "fi": ("Finnish", "Latin", "Uralic"),
    "fr": ("French", "Latin", "Romance"), "he": ("Hebrew", "Hebrew", "Semitic"),
    "hi": ("Hindi", "Devanagari", "Indo-Aryan"), "ht": ("Haitian Creole", "Latin", "Creole"),
    "hu": ("Hungarian", "Latin", "Uralic"), "id": ("Indonesian", "Latin", "Austronesian"),
    "it": ("Italian", "Latin", "Romance"), "ja": ("Japanese", "Japanese", "Japonic"),
    "jv": ("Javanese", "Latin", "Austronesian"), "ka": ("Georgian", "Georgian", "Kartvelian"),
    "kk": ("Kazakh", "Cyrillic", "Turkic"), "ko": ("Korean", "Hangul", "Koreanic"),
    "ml": ("Malayalam", "Malayalam", "Dravidian"), "mr": ("Marathi", "Devanagari", "Indo-Aryan"),
    "ms": ("Malay", "Latin", "Austronesian"), "my": ("Burmese", "Myanmar", "Sino-Tibetan"),
    "nl": ("Dutch", "Latin", "Germanic"), "pt": ("Portuguese", "Latin", "Romance"),
    "qu": ("Quechua", "Latin", "Quechuan"), "ru": ("Russian", "Cyrillic", "Slavic"),
    "sw": ("Swahili", "Latin", "Niger-Congo"), "ta": ("Tamil", "Tamil", "Dravidian"),
    "te": ("Telugu", "Telugu", "Dravidian"), "th": ("Thai", "Thai", "Kra-Dai"),
    "tl": ("Tagalog", "Latin", "Austronesian"), "tr": ("Turkish", "Latin", "Turkic"),
    "ur": ("Urdu", "Arabic", "Indo-Aryan"), "vi": ("Vietnamese", "Latin", "Austroasiatic"),
    "yo": ("Yoruba", "Latin", "Niger-Congo"), "zh": ("Chinese", "Han", "Sino-Tibetan"),
}
# Tatoeba's hub configs use ISO 639-3 codes
ISO3 = {"af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "es": "spa", "et": "est",
        "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin", "hu": "hun", "id": "ind",
        "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat", "kk": "kaz", "ko": "kor", "ml": "mal", "mr": "mar",
        "nl": "nld", "pt": "por", "ru": "rus", "sw": "swh", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
        "tr": "tur", "ur": "urd", "vi": "vie", "zh": "cmn"}


PARQUET_EXPORT = "refs/convert/parquet"  # the hub's own Parquet conversion of every dataset repository


@dataclass(frozen=True)
class HubSource:
    """Where a task's data lives on the hub (and, in the same layout, in a local directory).

    `config` may contain {lang} (ISO 639-1), {name} (English name, as udpos.German) or {iso3} (as tatoeba.deu).
    `splits` maps our split names (train, dev, test) to the source's; "a+b" concatenates source splits.
    `language_from` selects one language when a config holds several: "column:<name>" or "id_prefix" (TyDiQA).
    `local_only`: licensed data that no hub serves (CCGbank).
    `lacking`: our split -> the languages the source has no such split for (UD-POS has no validation data for
    Kazakh, Tagalog, Thai and Yoruba): `--split dev` with languages 'all' leaves them out, naming one is an error.
    `revision`: the branch, tag or commit read from the hub. Repositories that still hold a loading script on
    their main branch (which `datasets` >= 4 refuses to run) are read from the hub's Parquet conversion,
    PARQUET_EXPORT, where each split is `<config>/<split>/0000.parquet`.
    """

    repo: str
    config: str
    splits: dict[str, str]
    language_from: str | None = None
    local_only: bool = False
    lacking: dict[str, tuple[str, ...]] = field(default_factory=dict)
    revision: str = "main"

    def has_split(self, split: str, lang: str | None) -> bool:
        return split in self.splits and lang not in self.lacking.get(split, ())

    def config_for(self, lang: str | None) -> str:
        lang = lang or "en"
        return self.config.format(lang=lang, name=LANGUAGES.get(lang, (lang,))[0], iso3=ISO3.get(lang, lang))


@dataclass(frozen=True)
class TaskSpec:
    name: str  # XTREME task id, or the usual short name of an intermediate task
    role: str  # target | intermediate | source
    type: str  # pair_classification | multiple_choice | span_qa | tagging | retrieval | mlm
    metric: str  # a function in xlt_core.metrics ("bucc" and "tatoeba" in xlt_core.retrieval)
    languages: tuple[str, ...]
    source: HubSource
    columns: dict[str, str]  # canonical name -> column in the source
    label_names: tuple[str, ...] = ()
    train_task: str | None = None  # the task whose English train split trains this one (XNLI trains on MNLI)
    mix: tuple[str, ...] = ()  # tasks whose training data joins this one's, sharing its head (ANLI+)
    group: str = ""  # XTREME group: classification, tagging, qa, retrieval
    description: str = ""

    @property
    def num_labels(self) -> int:
        return len(self.label_names)


XNLI_LANGS = ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
UDPOS_LANGS = ("af", "ar", "bg", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "hu", "id", "it",
               "ja", "kk", "ko", "mr", "nl", "pt", "ru", "ta", "te", "th", "tl", "tr", "ur", "vi", "yo", "zh")
PANX_LANGS = ("af", "ar", "bg", "bn", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "hu", "id",
              "it", "ja", "jv", "ka", "kk", "ko", "ml", "mr", "ms", "my", "nl", "pt", "ru", "sw", "ta", "te", "th",
              "tl", "tr", "ur", "vi", "yo", "zh")
TATOEBA_LANGS = ("af", "ar", "bg", "bn", "de", "el", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "hu", "id",
                 "it", "ja", "jv", "ka", "kk", "ko", "ml", "mr", "nl", "pt", "ru", "sw", "ta", "te", "th", "tl",
                 "tr", "ur", "vi", "zh")
PAIR = {"text_a": "sentence1", "text_b": "sentence2", "label": "label"}
SQUAD_COLUMNS = {"id": "id", "context": "context", "question": "question", "answers": "answers"}
RETRIEVAL = {"source": "source_sentence", "target": "target_sentence"}

_SPECS = [
    # ---- the nine XTREME target tasks (+ XCOPA from XTREME-R) ----------------------------------------------
    TaskSpec("xnli", "target", "pair_classification", "accuracy", XNLI_LANGS,
             HubSource("google/xtreme", "XNLI", {"dev": "validation", "test": "test"}, language_from="column:language"),
             {"text_a": "sentence1", "text_b": "sentence2", "label": "gold_label"}, NLI_LABELS, train_task="mnli",
             group="classification", description="cross-lingual NLI; trained on English MNLI"),
    TaskSpec("pawsx", "target", "pair_classification", "accuracy", ("de", "en", "es", "fr", "ja", "ko", "zh"),
             HubSource("google/xtreme", "PAWS-X.{lang}", {"train": "train", "dev": "validation", "test": "test"}),
             PAIR, ("0", "1"), group="classification", description="paraphrase adversaries; English train"),
    TaskSpec("udpos", "target", "tagging", "seqeval", UDPOS_LANGS,
             HubSource("google/xtreme", "udpos.{name}", {"train": "train", "dev": "validation", "test": "test"},
                       lacking={"dev": ("kk", "th", "tl", "yo"), "train": ("th", "tl", "yo")}),
             {"tokens": "tokens", "tags": "pos_tags"}, UPOS, group="tagging",
             description="Universal Dependencies v2.5 POS tags; all English treebanks train"),
    TaskSpec("panx", "target", "tagging", "seqeval", PANX_LANGS,
             HubSource("google/xtreme", "PAN-X.{lang}", {"train": "train", "dev": "validation", "test": "test"}),
             {"tokens": "tokens", "tags": "ner_tags"}, NER, group="tagging", description="WikiANN named entities"),
    TaskSpec("xquad", "target", "span_qa", "squad", ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh"),
             HubSource("google/xtreme", "XQuAD.{lang}", {"dev": "validation", "test": "validation"}), SQUAD_COLUMNS,
             train_task="squad", group="qa", description="SQuAD v1.1 dev translated; trained on SQuAD v1.1"),
    TaskSpec("mlqa", "target", "span_qa", "mlqa", ("ar", "de", "en", "es", "hi", "vi", "zh"),
             HubSource("google/xtreme", "MLQA.{lang}.{lang}", {"dev": "validation", "test": "test"}), SQUAD_COLUMNS,
             train_task="squad", group="qa", description="MLQA, same-language pairs; trained on SQuAD v1.1"),
    TaskSpec("tydiqa", "target", "span_qa", "squad", ("ar", "bn", "en", "fi", "id", "ko", "ru", "sw", "te"),
             HubSource("google/xtreme", "tydiqa", {"train": "train", "dev": "validation", "test": "validation"},
                       language_from="id_prefix"), SQUAD_COLUMNS, group="qa",
             description="TyDiQA-GoldP; trained on its English part only"),
    TaskSpec("bucc2018", "target", "retrieval", "bucc", ("de", "fr", "ru", "zh"),
             HubSource("google/xtreme", "bucc18.{lang}", {"dev": "validation", "test": "test"}), RETRIEVAL,
             group="retrieval", description="bitext mining against English; no training, scored on the encoder"),
    TaskSpec("tatoeba", "target", "retrieval", "tatoeba", TATOEBA_LANGS,
             HubSource("google/xtreme", "tatoeba.{iso3}", {"test": "validation"}), RETRIEVAL, group="retrieval",
             description="sentence retrieval against English; no training, scored on the encoder"),
    TaskSpec("xcopa", "target", "multiple_choice", "accuracy",
             ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh"),
             HubSource("cambridgeltl/xcopa", "{lang}", {"dev": "validation", "test": "test"}),
             {"premise": "premise", "question": "question", "choices": "choice1,choice2", "label": "label"},
             ("0", "1"), train_task="copa", group="xtreme-r",
             description="XTREME-R causal commonsense; trained on SIQA then COPA"),
    # ---- the nine English intermediate tasks --------------------------------------------------------------
    TaskSpec("mnli", "intermediate", "pair_classification", "accuracy", ("en",),
             HubSource("nyu-mll/glue", "mnli", {"train": "train", "dev": "validation_matched",
                                                "test": "validation_mismatched"}),
             {"text_a": "premise", "text_b": "hypothesis", "label": "label"}, NLI_LABELS,
             description="MultiNLI, 3-way natural language inference"),
    TaskSpec("anli", "intermediate", "pair_classification", "accuracy", ("en",),
             HubSource("facebook/anli", "plain_text", {"train": "train_r1+train_r2+train_r3",
                                                       "dev": "dev_r1+dev_r2+dev_r3", "test": "test_r1+test_r2+test_r3"}),
             {"text_a": "premise", "text_b": "hypothesis", "label": "label"}, NLI_LABELS, mix=("mnli", "snli"),
             description="ANLI+: ANLI rounds 1-3 with MNLI and SNLI, one NLI head"),
    TaskSpec("qqp", "intermediate", "pair_classification", "accuracy", ("en",),
             HubSource("nyu-mll/glue", "qqp", {"train": "train", "dev": "validation"}),
             {"text_a": "question1", "text_b": "question2", "label": "label"}, ("not_duplicate", "duplicate"),
             description="Quora question pairs"),
    TaskSpec("squad", "intermediate", "span_qa", "squad", ("en",),
             HubSource("rajpurkar/squad", "plain_text", {"train": "train", "dev": "validation"}), SQUAD_COLUMNS,
             description="SQuAD v1.1 extractive QA"),
    TaskSpec("squad_v2", "intermediate", "span_qa", "squad_v2", ("en",),
             HubSource("rajpurkar/squad_v2", "squad_v2", {"train": "train", "dev": "validation"}), SQUAD_COLUMNS,
             description="SQuAD v2.0, with unanswerable questions"),
    TaskSpec("hellaswag", "intermediate", "multiple_choice", "accuracy", ("en",),
             HubSource("Rowan/hellaswag", "default", {"train": "train", "dev": "validation"},
                       revision=PARQUET_EXPORT),
             {"premise": "ctx", "choices": "endings", "label": "label"}, ("0", "1", "2", "3"),
             description="HellaSwag sentence completion, 4 endings"),
    TaskSpec("cosmosqa", "intermediate", "multiple_choice", "accuracy", ("en",),
             HubSource("allenai/cosmos_qa", "default", {"train": "train", "dev": "validation"},
                       revision=PARQUET_EXPORT),
             {"premise": "context", "question": "question", "choices": "answer0,answer1,answer2,answer3",
              "label": "label"}, ("0", "1", "2", "3"), description="Cosmos QA reading comprehension, 4 answers"),
    TaskSpec("commonsenseqa", "intermediate", "multiple_choice", "accuracy", ("en",),
             HubSource("tau/commonsense_qa", "default", {"train": "train", "dev": "validation"}),
             {"question": "question", "choices": "choices.text", "label": "answerKey"}, ("A", "B", "C", "D", "E"),
             description="CommonsenseQA, 5 answers"),
    TaskSpec("ccg", "intermediate", "tagging", "token_accuracy", ("en",),
             HubSource("ccgbank", "ccg", {"train": "train", "dev": "dev", "test": "test"}, local_only=True),
             {"tokens": "tokens", "tags": "tags"}, description="CCGbank supertagging (LDC licence: local files only)"),
    # ---- data sources --------------------------------------------------------------------------------------
    TaskSpec("snli", "source", "pair_classification", "accuracy", ("en",),
             HubSource("stanfordnlp/snli", "plain_text", {"train": "train", "dev": "validation", "test": "test"}),
             {"text_a": "premise", "text_b": "hypothesis", "label": "label"}, NLI_LABELS, description="part of ANLI+"),
    TaskSpec("siqa", "source", "multiple_choice", "accuracy", ("en",),
             HubSource("allenai/social_i_qa", "default", {"train": "train", "dev": "validation"},
                       revision=PARQUET_EXPORT),
             {"premise": "context", "question": "question", "choices": "answerA,answerB,answerC", "label": "label"},
             ("1", "2", "3"), description="Social IQa: XCOPA's first training stage"),
    TaskSpec("copa", "source", "multiple_choice", "accuracy", ("en",),
             HubSource("aps/super_glue", "copa", {"train": "train", "dev": "validation"}),
             {"premise": "premise", "question": "question", "choices": "choice1,choice2", "label": "label"},
             ("choice1", "choice2"), description="COPA: XCOPA's English training data"),
    TaskSpec("xnli_mt", "source", "pair_classification", "accuracy", XNLI_LANGS,
             HubSource("facebook/xnli", "{lang}", {"train": "train", "dev": "validation", "test": "test"}),
             {"text_a": "premise", "text_b": "hypothesis", "label": "label"}, NLI_LABELS,
             description="MNLI machine-translated into the XNLI languages (translate-train)"),
    TaskSpec("pawsx_mt", "source", "pair_classification", "accuracy", ("de", "es", "fr", "ja", "ko", "zh"),
             HubSource("google/xtreme", "PAWS-X.{lang}", {"train": "train"}), PAIR, ("0", "1"),
             description="PAWS-X English train machine-translated (translate-train)"),
    TaskSpec("mlm", "source", "mlm", "perplexity", XNLI_LANGS,
             HubSource("local/mlm", "{lang}", {"train": "train"}), {"text": "text"},
             description="multilingual text for MLM co-training (text files in the hub layout)"),
]
TASKS: dict[str, TaskSpec] = {spec.name: spec for spec in _SPECS}

INTERMEDIATE_TASKS = tuple(n for n, s in TASKS.items() if s.role == "intermediate")
# what an intermediate stage may train on: the nine, and the English training sources (SIQA before XCOPA's COPA)
# xnli_mt: MNLI machine-translated into the XNLI languages (translate-train), trained in all of them
TRAINABLE = INTERMEDIATE_TASKS + ("snli", "siqa", "copa", "xnli_mt")
TARGET_TASKS = tuple(n for n, s in TASKS.items() if s.role == "target")
GROUPS = {"classification": ("pawsx", "xnli"), "tagging": ("udpos", "panx"), "qa": ("xquad", "mlqa", "tydiqa"),
          "retrieval": ("bucc2018", "tatoeba")}


def get_task(name: str, role: str | None = None) -> TaskSpec:
    """The spec of a task by name; a one-line error naming the allowed names otherwise."""
    allowed = [n for n, s in TASKS.items() if role is None or s.role == role]
    if name not in allowed:
        what = f"{role} task" if role else "task"
        raise XltError(f"unknown {what} {name!r}: choose one of {one_of(allowed)}")
    return TASKS[name]


def means_all(languages) -> bool:
    """Whether a languages value asks for every language of the task."""
    return isinstance(languages, (str, list, tuple, type(None))) and languages in (None, "all", "", ["all"], ("all",))


def resolve_languages(task: TaskSpec, languages) -> tuple[str, ...]:
    """'all', None, a comma-separated string or a list -> a validated tuple in the task's own order."""
    if means_all(languages):
        return task.languages
    if isinstance(languages, str):
        languages = [x.strip() for x in languages.split(",") if x.strip()]
    bad = [lang for lang in languages if lang not in task.languages]
    if bad:
        raise XltError(f"language {bad[0]!r} is not in {task.name}'s list: choose from {one_of(task.languages)} or 'all'")
    if not languages:
        raise XltError(f"no language given for {task.name}: choose from {one_of(task.languages)} or 'all'")
    return tuple(lang for lang in task.languages if lang in set(languages))


def lacking_split(task: TaskSpec, split: str) -> tuple[str, ...]:
    """The task's languages for which its source has no `split` (`HubSource.lacking`; empty for a split the task
    does not have at all, which is a mistake of its own)."""
    lacking = task.source.lacking.get(split, ()) if isinstance(split, str) else ()
    return tuple(lang for lang in task.languages if lang in lacking)


def check_split_languages(task: TaskSpec, split: str, languages) -> None:
    """One line when a named language has no such split in the task's source (UD-POS dev in kk, th, tl, yo)."""
    lacking = lacking_split(task, split)
    named = [lang for lang in languages if lang in lacking]
    if named:
        having = [lang for lang in task.languages if lang not in lacking]
        raise XltError(f"language {named[0]!r} has no {split!r} split in {task.name} (its source has none for "
                       f"{one_of(lacking)}): choose from {one_of(having)} or 'all' (which leaves them out), or "
                       "another split")


def training_task(task: TaskSpec) -> TaskSpec:
    """The task whose English training data trains `task` (itself unless `train_task` says otherwise)."""
    return TASKS[task.train_task] if task.train_task else task


def training_languages(spec: TaskSpec) -> tuple[str, ...]:
    """English, except for the multilingual sources (translate-train data, MLM text): all their languages."""
    return spec.languages if spec.role == "source" and len(spec.languages) > 1 else ("en",)
