"""Split an item file into its YAML front matter and its Markdown body."""

from __future__ import annotations

from dataclasses import dataclass

DELIMITER = "---"


class FrontMatterProblem(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class SplitFile:
    front_matter: str
    front_matter_first_line: int  # file line of the first front-matter line
    body: str
    body_first_line: int


def split_front_matter(text: str) -> SplitFile:
    lines = text.splitlines()
    if not lines or lines[0].strip() != DELIMITER:
        raise FrontMatterProblem(1, "the file must start with a '---' line that opens the YAML front matter")
    for index in range(1, len(lines)):
        if lines[index].strip() == DELIMITER:
            return SplitFile(
                front_matter="\n".join(lines[1:index]),
                front_matter_first_line=2,
                body="\n".join(lines[index + 1 :]),
                body_first_line=index + 2,
            )
    raise FrontMatterProblem(1, "the front matter is never closed: add a '---' line after it")
