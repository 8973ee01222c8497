"""trafilatura's tree cleaning in linear time.

trafilatura's ``tree_cleaning`` deletes unwanted elements (forms, objects, asides, labels
...) one at a time, appending each one's tail to the text before it, a string that grows:
40,000 forms in a row took 13 s (1.5 MB), a 5 MB page would take minutes. While it runs
(in this thread), a deletion only renames the element; one pass removes them all, joining
the tails as the deletions would have, before anything reads the tree again (its form rule
measures the text, its pruning looks for empty elements) and when it returns. The tree it
gives is the same (every Zyte page extracts the same text; a test compares random pages).
Its "recall" mode, which we do not use, keeps the original way.
"""

from __future__ import annotations

import threading
from typing import Any

DELETED = "newsmon-deleted"  # the tag of an element deleted while the cleaning runs


def install() -> None:
    """Put the linear cleaning in trafilatura (once; the original stays reachable as
    ``htmlprocessing._newsmon_original_tree_cleaning``)."""
    import trafilatura.core as core
    import trafilatura.htmlprocessing as hp

    if getattr(hp, "_newsmon_linear", False):
        return
    patch = _LinearCleaning(hp)
    hp.delete_element, hp._handle_forms, hp.prune_html = (
        patch.delete_element,
        patch.handle_forms,
        patch.prune_html,
    )
    hp.tree_cleaning = core.tree_cleaning = patch.tree_cleaning
    hp._newsmon_original_tree_cleaning = patch.cleaning
    hp._newsmon_linear = True


class _LinearCleaning:
    """trafilatura's functions, wrapped: while ``tree_cleaning`` runs in this thread,
    deletions mark, and the marked elements go (:func:`flush`) before the tree is read."""

    def __init__(self, hp: Any) -> None:
        self.cleaning, self.delete, self.forms, self.prune = (
            hp.tree_cleaning,
            hp.delete_element,
            hp._handle_forms,
            hp.prune_html,
        )
        self.local = threading.local()

    def marking(self) -> bool:
        return getattr(self.local, "on", False)

    def delete_element(self, element: Any, keep_tail: bool = True) -> None:
        if not self.marking() or element.getparent() is None:
            self.delete(element, keep_tail)
            return
        if not keep_tail:
            element.tail = None
        element.tag = DELETED  # removed by flush(), its tail joined to the text before it

    def handle_forms(self, tree: Any) -> None:
        if self.marking():
            flush(tree)
        self.forms(tree)

    def prune_html(self, tree: Any, focus: str = "balanced") -> Any:
        if self.marking():
            flush(tree)
        return self.prune(tree, focus)

    def tree_cleaning(self, tree: Any, options: Any) -> Any:
        if options.focus == "recall" or self.marking():
            return self.cleaning(tree, options)
        self.local.on = True
        try:
            out = self.cleaning(tree, options)
        finally:
            self.local.on = False
        flush(out)
        return out


def flush(tree: Any) -> None:
    """Remove the marked elements as one-at-a-time deletion would have: each tail joins the
    text before it (the nearest kept sibling's tail, else the parent's text), in document
    order, one join per receiver."""
    tops = [
        el for el in tree.iter(DELETED) if not any(a.tag == DELETED for a in el.iterancestors())
    ]
    receiver: dict[Any, tuple[str, Any]] = {}
    tails: dict[tuple[str, Any], list[str]] = {}
    for el in tops:
        prev = el.getprevious()
        if prev is not None and prev.tag == DELETED:
            key = receiver[prev]
        else:
            key = ("tail", prev) if prev is not None else ("text", el.getparent())
        receiver[el] = key
        if el.tail:
            tails.setdefault(key, []).append(el.tail)
    for (where, node), parts in tails.items():
        if where == "tail":
            node.tail = (node.tail or "") + "".join(parts)
        else:
            node.text = (node.text or "") + "".join(parts)
    for el in tops:
        el.tail = None
        el.getparent().remove(el)
