"""Cascade prediction that measures itself: ground truth, backtest, baselines, live scorecard.

* :mod:`labels` — the ground truth (D1 rate-ratio onsets; the notional label);
* :mod:`runner` / :mod:`report` — ``liqterm backtest``: replay through the live
  parse -> engine path, score every predictor on a 1 s grid;
* :mod:`baselines`, :mod:`hawkes`, :mod:`series` — the stream predictors and features;
* :mod:`train` + ``scripts/fit_predictor.py`` — walk-forward fitting of everything shipped;
* :mod:`synthetic` / :mod:`calibrate` — synthetic multi-venue recordings for tests and
  benchmarks (never quoted as real skill);
* :mod:`scorecard` — :class:`~liqterm.backtest.scorecard.Scorecard` for the app's cascade
  pane and :func:`~liqterm.backtest.scorecard.shipped_summary` (the shipped figures).

Only :mod:`scorecard` is meant to be imported by the app; it needs nothing but the engine.
"""
