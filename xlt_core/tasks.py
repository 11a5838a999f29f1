"""THE table of tasks. Every task the project knows is one `TaskSpec` entry in `TASKS`; nothing else names a task's
languages, hub location, columns or labels. Adding a task = adding an entry (plus a metric function if it is new).

Language lists follow google-research/xtreme evaluate.py (see shared/docs/xtreme-reference.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import XltError, one_of

NLI_LABELS = ("entailment", "neutral", "contradiction")

# ISO 639-1 code -> (English name, script, family). The dashboard groups languages by the last two fields.
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "af": ("Afrikaans", "Latin", "Germanic"),
    "ar": ("Arabic", "Arabic", "Semitic"),
    "bg": ("Bulgarian", "Cyrillic", "Slavic"),
    "bn": ("Bengali", "Bengali", "Indo-Aryan"),
    "de": ("German", "Latin", "Germanic"),
    "el": ("Greek", "Greek", "Hellenic"),
    "en": ("English", "Latin", "Germanic"),
    "es": ("Spanish", "Latin", "Romance"),
    "et": ("Estonian", "Latin", "Uralic"),
    "eu": ("Basque", "Latin", "Isolate"),
    "fa": ("Persian", "Arabic", "Iranian"),
    "fi": ("Finnish", "Latin", "Uralic"),
    "fr": ("French", "Latin", "Romance"),
    "he": ("Hebrew", "Hebrew", "Semitic"),
    "hi": ("Hindi", "Devanagari", "Indo-Aryan"),
    "hu": ("Hungarian", "Latin", "Uralic"),
    "id": ("Indonesian", "Latin", "Austronesian"),
    "it": ("Italian", "Latin", "Romance"),
    "ja": ("Japanese", "Japanese", "Japonic"),
    "jv": ("Javanese", "Latin", "Austronesian"),
    "ka": ("Georgian", "Georgian", "Kartvelian"),
    "kk": ("Kazakh", "Cyrillic", "Turkic"),
    "ko": ("Korean", "Hangul", "Koreanic"),
    "ml": ("Malayalam", "Malayalam", "Dravidian"),
    "mr": ("Marathi", "Devanagari", "Indo-Aryan"),
    "ms": ("Malay", "Latin", "Austronesian"),
    "my": ("Burmese", "Myanmar", "Sino-Tibetan"),
    "nl": ("Dutch", "Latin", "Germanic"),
    "pt": ("Portuguese", "Latin", "Romance"),
    "ru": ("Russian", "Cyrillic", "Slavic"),
    "sw": ("Swahili", "Latin", "Niger-Congo"),
    "ta": ("Tamil", "Tamil", "Dravidian"),
    "te": ("Telugu", "Telugu", "Dravidian"),
    "th": ("Thai", "Thai", "Kra-Dai"),
    "tl": ("Tagalog", "Latin", "Austronesian"),
    "tr": ("Turkish", "Latin", "Turkic"),
    "ur": ("Urdu", "Arabic", "Indo-Aryan"),
    "vi": ("Vietnamese", "Latin", "Austroasiatic"),
    "yo": ("Yoruba", "Latin", "Niger-Congo"),
    "zh": ("Chinese", "Han", "Sino-Tibetan"),
}


@dataclass(frozen=True)
class HubSource:
    """Where a task's data lives on the hub (and, in the same layout, in a local directory).

    `config` may contain `{lang}`; `language_column` names the column that selects a language when one config
    holds all of them (XNLI); `splits` maps our split names (train, dev, test) to the source's split names.
    """

    repo: str
    config: str
    splits: dict[str, str]
    language_column: str | None = None


@dataclass(frozen=True)
class TaskSpec:
    name: str  # XTREME task id or the usual short name of an intermediate task
    role: str  # "target" (evaluated zero-shot per language) or "intermediate" (English training only)
    type: str  # how features, heads and predictions are built: "pair_classification", ...
    metric: str  # name of a function in xlt_core.metrics
    languages: tuple[str, ...]
    source: HubSource
    columns: dict[str, str]  # canonical name (text_a, text_b, label) -> column in the source
    label_names: tuple[str, ...] = ()
    train_task: str | None = None  # the task whose English train split trains this one (XNLI trains on MNLI)
    group: str = ""  # XTREME group: classification, tagging, qa, retrieval
    description: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def num_labels(self) -> int:
        return len(self.label_names)


TASKS: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in [
        TaskSpec(
            name="mnli",
            role="intermediate",
            type="pair_classification",
            metric="accuracy",
            languages=("en",),
            source=HubSource(
                repo="nyu-mll/glue",
                config="mnli",
                splits={"train": "train", "dev": "validation_matched", "test": "validation_mismatched"},
            ),
            columns={"text_a": "premise", "text_b": "hypothesis", "label": "label"},
            label_names=NLI_LABELS,
            description="MultiNLI, 3-way natural language inference (English)",
        ),
        TaskSpec(
            name="xnli",
            role="target",
            type="pair_classification",
            metric="accuracy",
            languages=("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"),
            source=HubSource(
                repo="google/xtreme",
                config="XNLI",
                splits={"dev": "validation", "test": "test"},
                language_column="language",
            ),
            columns={"text_a": "sentence1", "text_b": "sentence2", "label": "gold_label"},
            label_names=NLI_LABELS,
            train_task="mnli",
            group="classification",
            description="Cross-lingual NLI; trained on English MNLI, evaluated zero-shot in 15 languages",
        ),
    ]
}

INTERMEDIATE_TASKS = tuple(n for n, s in TASKS.items() if s.role == "intermediate")
TARGET_TASKS = tuple(n for n, s in TASKS.items() if s.role == "target")


def get_task(name: str, role: str | None = None) -> TaskSpec:
    """The spec of a task by name; a one-line error naming the allowed names otherwise."""
    allowed = [n for n, s in TASKS.items() if role is None or s.role == role]
    if name not in allowed:
        what = f"{role} task" if role else "task"
        raise XltError(f"unknown {what} {name!r}: choose one of {one_of(allowed)}")
    return TASKS[name]


def resolve_languages(task: TaskSpec, languages) -> tuple[str, ...]:
    """'all', None, a comma-separated string or a list -> a validated tuple in the task's own order."""
    if languages in (None, "all", "", ["all"], ("all",)):
        return task.languages
    if isinstance(languages, str):
        languages = [x.strip() for x in languages.split(",") if x.strip()]
    bad = [lang for lang in languages if lang not in task.languages]
    if bad:
        raise XltError(f"language {bad[0]!r} is not in {task.name}'s list: choose from {one_of(task.languages)} or 'all'")
    if not languages:
        raise XltError(f"no language given for {task.name}: choose from {one_of(task.languages)} or 'all'")
    return tuple(lang for lang in task.languages if lang in set(languages))


def training_task(task: TaskSpec) -> TaskSpec:
    """The task whose English training data trains `task` (itself unless `train_task` says otherwise)."""
    return TASKS[task.train_task] if task.train_task else task
