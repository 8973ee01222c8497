"""An article made from a document: cleaned text, its identity and its index terms.

:mod:`clean` takes publisher boilerplate out and finds title, dateline and outlet,
:mod:`identity` gives canonical URLs, content hashes and near-duplicate signatures, and
:mod:`index_terms` counts the search index's terms where the article is read.
"""
