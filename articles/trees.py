"""Walking a hierarchy given as (id, parent id) pairs: regions inside regions."""

from collections.abc import Iterable


def subtree_ids(start: Iterable[int], pairs: Iterable[tuple[int, int | None]]) -> list[int]:
    """The ids in `start` and every id below them, at any depth, each once (a cycle in
    the pairs ends the walk rather than looping)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in pairs:
        children.setdefault(parent, []).append(pk)
    found: list[int] = []
    seen: set[int] = set()
    todo = list(start)
    while todo:
        pk = todo.pop()
        if pk not in seen:
            seen.add(pk)
            found.append(pk)
            todo.extend(children.get(pk, []))
    return found
