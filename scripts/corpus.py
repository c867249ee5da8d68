#!/usr/bin/env python
"""Scale the library up for benchmarks: a content tree of N items in realistic English with
realistic facet values. Every generated item takes its kind and facet values from a randomly chosen
real item (so facet distributions match the real library) and its text from sentences of the real
library, recombined. The real items are included too. Generated items say they are synthetic.

    .venv/bin/python scripts/corpus.py 10000 /tmp/content-10k
"""

from __future__ import annotations

import argparse
import copy
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.record.loading import load_library  # noqa: E402

CONFIG_FILES = ("taxonomy.yaml", "publications.yaml", "synonyms.yaml")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
FIRST_GENERATED_NUMBER = 10000  # real IDs have four digits; generated ones five or six


def generate(source: Path, target: Path, n_items: int, seed: int = 0) -> list[Path]:
    """Write a content tree of `n_items` items (the real ones first) to `target`; return the
    paths of the generated files."""
    rng = random.Random(seed)
    library = load_library(source)
    if not library.ok:
        raise SystemExit("the source content has errors: run 'nis validate'")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in CONFIG_FILES:
        shutil.copy(source / name, target / name)
    shutil.copytree(source / "items", target / "items")

    records = [r for r in library.files if r.item.status == "active"]
    sentences = [
        s.strip()
        for r in records
        for sec in r.body.sections
        for s in _SENTENCE.split(" ".join(sec.text.split()))
        if 40 <= len(s.strip()) <= 240 and not s.lstrip().startswith(("#", "|", "-", "*"))
    ]
    interventions = [r.item.id for r in records if r.item.kind == "intervention"]
    all_tags = [t for r in records for t in r.item.tags]
    counters: dict[str, int] = {}
    prefixes = {k.id: k.id_prefix for k in library.taxonomy.kinds}
    written = []
    for _ in range(max(0, n_items - len(records))):
        template = rng.choice(records)
        facets_from = rng.choice([r for r in records if r.item.kind == template.item.kind])
        data = copy.deepcopy(template.data)
        kind = data["kind"]
        counters[kind] = counters.get(kind, FIRST_GENERATED_NUMBER - 1) + 1
        data["id"] = f"{prefixes[kind]}-{counters[kind]:05d}"
        words = rng.choice(sentences).rstrip(".!?").split()
        start = rng.randrange(max(1, len(words) - 6))
        data["title"] = "Synthetic: " + " ".join(words[start : start + rng.randint(4, 9)])
        data["summary"] = rng.choice(sentences)[:280]
        data["phases"] = facets_from.data["phases"]
        data["settings"] = facets_from.data["settings"]
        data["tags"] = rng.sample(all_tags, 3)
        data["related"] = []
        data.pop("replaced_by", None)
        data["status"] = "active"
        if kind == "identification-tool":
            data["leads_to"] = rng.sample(interventions, 2)
        if kind == "package":
            data["components"] = rng.sample(interventions, 2)
        body = []
        for section in template.body.sections:
            body.append(f"## {section.heading}\n\n" + " ".join(rng.sample(sentences, rng.randint(2, 5))) + "\n")
        path = target / "items" / kind / f"{data['id']}.md"
        path.write_text(
            "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n\n" + "\n".join(body),
            encoding="utf-8",
        )
        written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("items", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--source", type=Path, default=ROOT / "content")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    written = generate(args.source, args.target, args.items, args.seed)
    print(f"Wrote {len(written)} generated items (plus the real ones) to {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
