"""An article made from a document: cleaned text, its language, its identity and index terms.

:mod:`clean` takes publisher boilerplate out, :mod:`language` decides the language,
:mod:`identity` gives canonical URLs, hashes and near-duplicate keys, :mod:`index_terms`
counts search terms, and :mod:`build` runs them in order for the read stage's workers.
"""
