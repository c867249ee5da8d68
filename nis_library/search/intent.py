"""Intent and layer: the rule table in `intent.yaml`, read once, applied to a query as one weight
per item. The words live in the table, not here; this module only matches them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from nis_library.catalogue import ItemSummary

RULES_FILE = Path(__file__).with_name("intent.yaml")
ITEM_SELECTORS = ("kind", "layer", "only_layer")


@dataclass(frozen=True)
class Rule:
    name: str
    selector: str  # kind, layer or only_layer
    value: str
    unless: tuple[str, ...]  # phrases: the rule is off when the query has one
    when: tuple[str, ...]  # phrases: the rule is on only when the query has one
    weight: float

    def selects(self, item: ItemSummary) -> bool:
        if self.selector == "kind":
            return item.kind == self.value
        if self.selector == "layer":
            return self.value in item.layers
        return list(item.layers) == [self.value]


class RuleError(ValueError):
    pass


@cache
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for number, entry in enumerate(raw.get("rules") or [], 1):
        items = entry.get("items") or {}
        if len(items) != 1 or next(iter(items)) not in ITEM_SELECTORS:
            raise RuleError(f"{path.name} rule {number}: 'items' needs exactly one of {', '.join(ITEM_SELECTORS)}")
        if bool(entry.get("unless")) == bool(entry.get("when")):
            raise RuleError(f"{path.name} rule {number}: give either 'unless' or 'when'")
        weight = float(entry["weight"])
        if not 0 < weight <= 2:
            raise RuleError(f"{path.name} rule {number}: 'weight' must be above 0 and at most 2")
        ((selector, value),) = items.items()
        rules.append(
            Rule(
                str(entry.get("name", f"rule {number}")),
                selector,
                str(value),
                tuple(str(p) for p in entry.get("unless") or ()),
                tuple(str(p) for p in entry.get("when") or ()),
                weight,
            )
        )
    return tuple(rules)


class IntentWeights:
    """The rules prepared for one library: each rule's items as a mask, its phrases analysed the
    way queries are, so a query costs a few list comparisons and array products."""

    def __init__(self, rules: Sequence[Rule], items: Sequence[ItemSummary], analyse: Callable[[str], list[str]]):
        self.rules = rules
        self.masks = [np.fromiter((rule.selects(i) for i in items), dtype=bool, count=len(items)) for rule in rules]
        self.phrases = [[p for p in (analyse(p) for p in (rule.when or rule.unless)) if p] for rule in rules]
        self.size = len(items)

    def weights(self, query_terms: Sequence[str]) -> np.ndarray:
        """One multiplier per item: the product of the weights of the rules that apply to the query
        (`query_terms`: the query analysed, in order, repeats kept)."""
        out = np.ones(self.size)
        present = set(query_terms)  # most phrases' first word is not in the query: skip them at once
        for rule, mask, phrases in zip(self.rules, self.masks, self.phrases, strict=True):
            asked = any(phrase[0] in present and _occurs(phrase, query_terms) for phrase in phrases)
            if asked if rule.when else not asked:
                out[mask] *= rule.weight
        return out

    def applied(self, query_terms: Sequence[str]) -> list[str]:
        """The names of the rules that apply to the query (for tests and the evaluation)."""
        return [
            rule.name
            for rule, phrases in zip(self.rules, self.phrases, strict=True)
            if any(_occurs(p, query_terms) for p in phrases) == bool(rule.when)
        ]


def _occurs(phrase: Sequence[str], terms: Sequence[str]) -> bool:
    n = len(phrase)
    return any(list(terms[i : i + n]) == list(phrase) for i in range(len(terms) - n + 1))
