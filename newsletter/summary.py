"""What `newsletter check` reports: counts an editor can compare with the plan of an issue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from newsletter.markdown import count_words, references
from newsletter.model import Article, Card, Figures, Issue, Letter, LinkCards


@dataclass(frozen=True)
class Summary:
    """Counts over a whole issue."""

    sections: int
    blocks: Counter[str]
    words: int
    links: int
    images: int

    def lines(self, issue: Issue) -> list[str]:
        """The human summary, a few lines."""
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.blocks.items()))
        languages = ", ".join(issue.languages or [issue.language])
        lines = [
            f"{issue.title} — {issue.id} ({issue.date.isoformat()}, {languages})",
            f"  {self.sections} sections, {sum(self.blocks.values())} blocks ({kinds})",
            f"  {self.words} words, {self.links} links, {self.images} images",
        ]
        if issue.translations:
            lines[-1] = f"  {issue.language}: {lines[-1].strip()}"
        for other in issue.translations.values():  # what each translation holds
            counts = summarize(other)
            blocks = sum(counts.blocks.values())
            lines.append(f"  {other.language}: {counts.sections} sections, {blocks} blocks, "
                         f"{counts.words} words, {counts.links} links")
        return lines


def summarize(issue: Issue) -> Summary:
    """Count sections, blocks by type, words of all texts, links and images."""
    blocks: Counter[str] = Counter()
    words = links = 0
    for _section, block in issue.blocks():
        blocks[block.type] += 1
        texts = _texts(block)
        words += sum(count_words(t) for t in texts)
        links += sum(1 for t in texts for r in references(t) if r.kind == "link")
        if isinstance(block, Article):
            links += len(block.links)
        elif isinstance(block, LinkCards):
            links += len(block.cards)
    for section in issue.sections:
        if section.intro:
            words += count_words(section.intro)
    return Summary(len(issue.sections), blocks, words, links, sum(1 for _ in issue.images()))


def _texts(block: Article | Letter | LinkCards | Figures) -> list[str]:
    if isinstance(block, Article):
        return [t for t in (block.title, block.lead, block.body) if t]
    if isinstance(block, Letter):
        return [t for t in (block.greeting, block.body, block.closing) if t]
    if isinstance(block, LinkCards):
        return [t for t in (block.title, block.intro) if t] + [
            t for card in block.cards for t in _card_texts(card)
        ]
    return [t for t in (block.title,) if t] + [f"{i.value} {i.label}" for i in block.items]


def _card_texts(card: Card) -> list[str]:
    return [t for t in (card.title, card.text) if t]
