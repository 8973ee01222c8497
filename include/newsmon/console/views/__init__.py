"""The console's routes, one :class:`fastapi.APIRouter` per page, which
:func:`newsmon.console.app.create_app` includes: :mod:`~newsmon.console.views.overview`
(``/``), :mod:`~newsmon.console.views.signal` (``/signal``),
:mod:`~newsmon.console.views.story` (``/story``), :mod:`~newsmon.console.views.search`
(``/search``), :mod:`~newsmon.console.views.sources` (``/sources``) and
:mod:`~newsmon.console.views.export` (``/export/<table>.csv``).

What they share: :mod:`~newsmon.console.views.state` (the app's dependencies, held on
``app.state`` and given to a route as :data:`~newsmon.console.views.state.ConsoleDep`) and
:mod:`~newsmon.console.views.respond` (the HTML page, its headers, the no-data page, a 404).
"""
