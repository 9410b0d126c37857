"""The terminal app (Textual): screens, widgets and styles over the engine's snapshots.

Only this package (and the CLI) imports Textual or Rich. The app holds the
engine, runs one worker per venue feeding it, and on a clock tick takes one
immutable :class:`~liqterm.engine.EngineSnapshot` and hands it to every widget.
"""
