"""Tags with evidence: topics, the regions of Russia and Ukraine, and the country each topic is about.

:mod:`taxonomy` compiles ``topics.yaml``; :mod:`matching` finds its terms in a text,
:mod:`hits` sorts the matches into the hits that count, :mod:`topics` scores topics from
them and :mod:`evidence` lists the hits behind each score; :mod:`regions` places articles
in regions and ties the passes together, :mod:`countries` decides each topic's
country, and :mod:`evaluate` / :mod:`evaluate_stream` measure them on labelled text.
"""
