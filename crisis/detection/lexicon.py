"""The lexicon document: where the shipped one lives, and what makes one valid.

The document format is described field by field in crisis/lexicon/README.md.
``validate_lexicon`` is what the supervisors' editor calls before storing a
version, so its messages name the place (``categories.suicide.groups[2].terms[5]``)
and say what is wrong in words a supervisor can act on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeGuard

from .model import CATEGORIES, MAX_LEVEL

LEXICON_FORMAT = 1
SHIPPED_LEXICON_PATH = Path(__file__).resolve().parent.parent / "lexicon" / "lexicon.json"

MAX_TERM_LENGTH = 40

SETTINGS_DEFAULTS: dict[str, Any] = {
    # A negation cue must end at most this many characters before a term, and those
    # characters must all be in negation_gap_chars: 我不会真的去死 is negated,
    # 我不知道为什么想死 is not (知, 道 are not filler characters).
    "negation_max_gap": 3,
    "negation_gap_chars": "我你他她会要去是真的也都就还曾有能过太这么样",
    # How far back (normalized characters, within the sentence) a person cue counts
    # as the subject of a term.
    "person_window": 24,
    # A generic person cue (你, 有人, 别人) caps a term at level 1 only if it stands at
    # most this many characters before it (有人想自杀吗 yes; 所有人都冷漠，想去死 no).
    "generic_person_window": 4,
    # ... and only for these categories: 有人说免费领皮肤 is still a scam reaching the youth.
    "generic_person_categories": ["suicide", "self_harm", "bullying", "sexual_abuse", "violence"],
    # A first-person cue at most this many characters before a term makes it
    # explicitly the youth's own: raises groups with first_person_level (我不敢自杀)
    # and survives fiction cues (看完这部电影我也想死).
    "first_person_window": 6,
    # Escalation across messages looks back this many risk-relevant messages.
    "accumulation_window": 12,
    # A Latin variant (pinyin, initials) shorter than this must stand alone, not
    # inside a longer run of Latin letters (zs yes, jzs no); longer ones may be
    # glued to other pinyin (woxiangzisha).
    "latin_substring_min_length": 5,
    # Gap-tolerant matching: a category term of at least gap_min_length characters
    # (Chinese only) also matches with up to gap_max of these filler characters
    # inside it: 活着没意思 matches 活着真的好没意思, 不想再活 matches 不想再活 and
    # 不想再也活. Computed from the lexicon when it is compiled (docs/crisis.md).
    "gap_chars": "真好很太都就再也了的啊呀还又",
    "gap_max": 3,
    "gap_min_length": 3,
    # Roles that only say "when" (a time, right now). In a conversation they are
    # remembered only if the conversation already holds another role of a rule, or
    # the message itself has a finding; otherwise a benign 明天要考试 would change
    # the stored state (and cost the chat a database write).
    "contextual_roles": ["time", "now"],
}

_KNOWN_TOP_LEVEL = {
    "format",
    "version",
    "description",
    "note",
    "settings",
    "roles",
    "categories",
    "modifiers",
    "escalations",
    "context",
    "variants",
}
_CONTEXT_LISTS = (
    "negation",
    "negation_exceptions",
    "fiction",
    "game",
    "first_person",
    "third_party",
    "generic_person",
    "benign_purpose",
    "role_play",
    "asked",
    "denial_reply",
    "farewell_object",
    "farewell_keep",
)
# Context lists that may also be written as an object of named families (round 4:
# benign_purpose {"sport": [...], "craft": [...]}); the detector reads the union.
_FAMILY_LISTS = frozenset({"benign_purpose"})


def context_terms(value: Any) -> list[str]:
    """The terms of a context list, written as a list or as an object of named family lists."""
    if isinstance(value, dict):
        return [term for terms in value.values() for term in terms]
    return list(value)


_GROUP_KEYS = {"role", "level", "terms", "pinyin", "initials", "third_party_max_level", "first_person_level", "note"}
_MODIFIER_KEYS = {"role", "terms", "note"}
_ESCALATION_KEYS = {"name", "category", "requires", "level", "scope", "note"}
_RULE_SCOPES = ("conversation", "message")


def load_shipped_lexicon() -> dict:
    """The lexicon shipped in the repository (crisis/lexicon/lexicon.json)."""
    with SHIPPED_LEXICON_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def lexicon_settings(doc: dict) -> dict[str, Any]:
    merged = dict(SETTINGS_DEFAULTS)
    settings = doc.get("settings")
    if isinstance(settings, dict):
        merged.update({k: v for k, v in settings.items() if k in SETTINGS_DEFAULTS})
    return merged


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.normalize: Callable[[str], str] | None = None  # set once the variants section is known to be usable

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def unknown_keys(self, where: str, value: dict, known: set[str]) -> None:
        for key in value:
            if key not in known:
                self.error(where, f"unknown field {key!r} (allowed: {', '.join(sorted(known))})")

    def term_list(self, where: str, value: object, *, allow_empty: bool = False) -> list[str]:
        if not isinstance(value, list):
            self.error(where, "must be a list of strings")
            return []
        if not value and not allow_empty:
            self.error(where, "is empty")
        seen: set[str] = set()
        good: list[str] = []
        for index, term in enumerate(value):
            spot = f"{where}[{index}]"
            if not isinstance(term, str):
                self.error(spot, f"must be a string, not {type(term).__name__}")
                continue
            if not term.strip():
                self.error(spot, "empty term")
                continue
            if len(term) > MAX_TERM_LENGTH:
                self.error(spot, f"term {term!r} is longer than {MAX_TERM_LENGTH} characters")
                continue
            if term in seen:
                self.error(spot, f"term {term!r} appears twice in this list")
                continue
            seen.add(term)
            if self.normalize is not None and not self.normalize(term):
                self.error(spot, f"term {term!r} is only separators/symbols: nothing would be left to match")
                continue
            good.append(term)
        return good

    def level(self, where: str, value: object, low: int, high: int) -> None:
        if not _is_int(value) or not low <= value <= high:
            self.error(where, f"must be a whole number from {low} to {high}, not {value!r}")


def validate_lexicon(doc: dict) -> list[str]:
    """Human-readable problems with a lexicon document; [] if it can be compiled and used."""
    check = _Checker()
    if not isinstance(doc, dict):
        return ["the lexicon must be a JSON object"]
    check.unknown_keys("lexicon", doc, _KNOWN_TOP_LEVEL)
    if doc.get("format") != LEXICON_FORMAT:
        check.error("format", f"must be {LEXICON_FORMAT} (this detector reads format {LEXICON_FORMAT})")
    version = doc.get("version")
    if not isinstance(version, str) or not version.strip():
        check.error("version", 'must be a non-empty string, e.g. "2025.11.1"')

    _check_settings(check, doc.get("settings", {}))
    _check_variants(check, doc.get("variants", {}))

    roles = doc.get("roles")
    declared_roles: set[str] = set()
    if not isinstance(roles, dict) or not roles:
        check.error("roles", "must be an object mapping each role name to what it means")
    else:
        for name, meaning in roles.items():
            if not name or not isinstance(meaning, str):
                check.error(f"roles.{name}", "each role needs a description (a string)")
            declared_roles.add(name)

    categories = doc.get("categories")
    used_category_roles: dict[str, set[str]] = {}
    if not isinstance(categories, dict) or not categories:
        check.error("categories", "must be an object with at least one category")
        categories = {}
    for category, body in categories.items():
        where = f"categories.{category}"
        if category not in CATEGORIES:
            check.error(where, f"unknown category (known: {', '.join(CATEGORIES)})")
            continue
        if not isinstance(body, dict):
            check.error(where, 'must be an object with "groups"')
            continue
        check.unknown_keys(where, body, {"label", "groups", "note"})
        groups = body.get("groups")
        if not isinstance(groups, list) or not groups:
            check.error(f"{where}.groups", "must be a non-empty list of term groups")
            continue
        for index, group in enumerate(groups):
            spot = f"{where}.groups[{index}]"
            if not isinstance(group, dict):
                check.error(spot, "must be an object")
                continue
            check.unknown_keys(spot, group, _GROUP_KEYS)
            role = group.get("role")
            if not isinstance(role, str) or role not in declared_roles:
                check.error(f"{spot}.role", f'{role!r} is not declared in "roles"')
            else:
                used_category_roles.setdefault(category, set()).add(role)
            check.level(f"{spot}.level", group.get("level"), 0, MAX_LEVEL)
            for flag in ("pinyin", "initials"):
                if flag in group and not isinstance(group[flag], bool):
                    check.error(f"{spot}.{flag}", "must be true or false")
            for optional_level in ("third_party_max_level", "first_person_level"):
                if group.get(optional_level) is not None:
                    check.level(f"{spot}.{optional_level}", group[optional_level], 0, MAX_LEVEL)
            check.term_list(f"{spot}.terms", group.get("terms"))

    modifiers = doc.get("modifiers", [])
    modifier_roles: set[str] = set()
    if not isinstance(modifiers, list):
        check.error("modifiers", "must be a list of term groups")
        modifiers = []
    for index, group in enumerate(modifiers):
        spot = f"modifiers[{index}]"
        if not isinstance(group, dict):
            check.error(spot, "must be an object")
            continue
        check.unknown_keys(spot, group, _MODIFIER_KEYS)
        role = group.get("role")
        if not isinstance(role, str) or role not in declared_roles:
            check.error(f"{spot}.role", f'{role!r} is not declared in "roles"')
        else:
            modifier_roles.add(role)
        check.term_list(f"{spot}.terms", group.get("terms"))

    escalations = doc.get("escalations", [])
    if not isinstance(escalations, list):
        check.error("escalations", "must be a list of rules")
        escalations = []
    names: set[str] = set()
    for index, rule in enumerate(escalations):
        spot = f"escalations[{index}]"
        if not isinstance(rule, dict):
            check.error(spot, "must be an object")
            continue
        check.unknown_keys(spot, rule, _ESCALATION_KEYS)
        name = rule.get("name")
        if not isinstance(name, str) or not name.strip():
            check.error(f"{spot}.name", "must be a non-empty string")
        elif name in names:
            check.error(f"{spot}.name", f"{name!r} is used by two rules")
        else:
            names.add(name)
        category = rule.get("category")
        if category not in CATEGORIES:
            check.error(f"{spot}.category", f"{category!r} is not a category ({', '.join(CATEGORIES)})")
        check.level(f"{spot}.level", rule.get("level"), 1, MAX_LEVEL)
        if "scope" in rule and rule["scope"] not in _RULE_SCOPES:
            check.error(f"{spot}.scope", f"{rule['scope']!r} is not a scope ({', '.join(_RULE_SCOPES)})")
        requires = rule.get("requires")
        if not isinstance(requires, list) or not requires:
            check.error(
                f"{spot}.requires", 'must be a non-empty list of lists of roles, e.g. [["ideation"], ["method"]]'
            )
            continue
        reachable = used_category_roles.get(category, set()) | modifier_roles
        for clause_index, clause in enumerate(requires):
            clause_spot = f"{spot}.requires[{clause_index}]"
            if not isinstance(clause, list) or not clause or not all(isinstance(r, str) for r in clause):
                check.error(clause_spot, "must be a non-empty list of role names (any one of them satisfies it)")
                continue
            for role in clause:
                if role not in declared_roles:
                    check.error(clause_spot, f'role {role!r} is not declared in "roles"')
            if not any(role in reachable for role in clause):
                check.error(
                    clause_spot,
                    f"no term of category {category!r} or modifier has any of the roles {clause}: "
                    "the rule can never apply",
                )

    context = doc.get("context")
    if not isinstance(context, dict):
        check.error("context", "must be an object with the cue lists")
    else:
        check.unknown_keys("context", context, set(_CONTEXT_LISTS) | {"exclusions", "note"})
        for name in _CONTEXT_LISTS:
            if name in context:
                if name in _FAMILY_LISTS and isinstance(context[name], dict):
                    for family, terms in context[name].items():
                        check.term_list(f"context.{name}.{family}", terms, allow_empty=True)
                else:
                    check.term_list(f"context.{name}", context[name], allow_empty=True)
        exclusions = context.get("exclusions", {})
        if not isinstance(exclusions, dict):
            check.error("context.exclusions", 'must be an object of named lists (e.g. "hyperbole", "idiom")')
        else:
            for name, terms in exclusions.items():
                check.term_list(f"context.exclusions.{name}", terms, allow_empty=True)
    return check.errors


def _check_settings(check: _Checker, settings: object) -> None:
    if not isinstance(settings, dict):
        check.error("settings", "must be an object")
        return
    check.unknown_keys("settings", settings, set(SETTINGS_DEFAULTS) | {"note"})
    for key in (
        "negation_max_gap",
        "person_window",
        "generic_person_window",
        "first_person_window",
        "accumulation_window",
        "latin_substring_min_length",
        "gap_max",
        "gap_min_length",
    ):
        if key in settings and (not _is_int(settings[key]) or not 0 <= settings[key] <= 200):
            check.error(f"settings.{key}", f"must be a whole number from 0 to 200, not {settings[key]!r}")
    for key in ("negation_gap_chars", "gap_chars"):
        if key in settings and not isinstance(settings[key], str):
            check.error(f"settings.{key}", "must be a string of characters")
    if "contextual_roles" in settings:
        value = settings["contextual_roles"]
        if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
            check.error("settings.contextual_roles", "must be a list of role names")
    if "generic_person_categories" in settings:
        value = settings["generic_person_categories"]
        if not isinstance(value, list) or any(c not in CATEGORIES for c in value):
            check.error("settings.generic_person_categories", f"must be a list of categories ({', '.join(CATEGORIES)})")


def _check_variants(check: _Checker, variants: object) -> None:
    if not isinstance(variants, dict):
        check.error("variants", "must be an object")
        return
    check.unknown_keys("variants", variants, {"homophones", "emoji", "char_overrides", "note"})
    usable = True
    emoji = variants.get("emoji", {})
    if not isinstance(emoji, dict):
        check.error("variants.emoji", "must be an object mapping an emoji to the text it stands for")
        usable = False
    else:
        for key, value in emoji.items():
            if not key or not isinstance(value, str) or not value.strip():
                check.error(f"variants.emoji.{key}", "must map an emoji to non-empty text")
                usable = False
    overrides = variants.get("char_overrides", {})
    if not isinstance(overrides, dict):
        check.error("variants.char_overrides", "must be an object mapping one character to its replacement")
        usable = False
    else:
        for key, value in overrides.items():
            if len(key) != 1 or not isinstance(value, str):
                check.error(f"variants.char_overrides.{key}", "keys must be single characters, values strings")
                usable = False
    if usable:
        from .normalize import Normalizer

        check.normalize = Normalizer(emoji=emoji, char_overrides=overrides).normalize
    homophones = variants.get("homophones", [])
    if not isinstance(homophones, list):
        check.error("variants.homophones", 'must be a list of {"alias", "canonical"} objects')
        return
    for index, item in enumerate(homophones):
        spot = f"variants.homophones[{index}]"
        if not isinstance(item, dict):
            check.error(spot, 'must be an object with "alias" and "canonical"')
            continue
        check.unknown_keys(spot, item, {"alias", "canonical", "note"})
        alias, canonical = item.get("alias"), item.get("canonical")
        if not isinstance(alias, str) or not alias.strip() or not isinstance(canonical, str) or not canonical.strip():
            check.error(spot, '"alias" and "canonical" must be non-empty strings')
        elif alias == canonical:
            check.error(spot, f"alias and canonical are the same ({alias!r})")
