"""The commands that run the pipeline without a screen: ``watch``, ``record`` and ``replay``.

Each builds one :class:`~liqterm.pipeline.Pipeline` with its source (live connections,
or a recording) and its sinks (lines on stdout, the state store, Telegram, a recording).
"""
