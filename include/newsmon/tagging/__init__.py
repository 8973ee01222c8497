"""Tags with evidence: topics, the regions of Russia and Ukraine, and the country each topic is about.

:mod:`taxonomy` compiles ``topics.yaml``, :mod:`topics` scores topics, :mod:`regions` places
articles in regions and ties the passes together, :mod:`countries` decides each topic's
country, and :mod:`evaluate` / :mod:`evaluate_stream` measure them on labelled text.
"""
