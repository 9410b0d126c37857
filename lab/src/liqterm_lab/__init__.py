"""liqterm's research lab: cascade prediction that measures itself.

* :mod:`labels` — the ground truth (D1 rate-ratio onsets; the notional label);
* :mod:`runner` / :mod:`report` — ``liqterm backtest``: recordings replayed through
  liqterm's own pipeline, every predictor scored on a 1 s grid;
* :mod:`baselines`, :mod:`hawkes`, :mod:`series` — the stream predictors and features;
* :mod:`train` + ``lab/scripts/fit_predictor.py`` — walk-forward fitting of everything shipped;
* :mod:`synthetic` / :mod:`calibrate` — synthetic multi-venue recordings for tests and
  benchmarks (never quoted as real skill);
* :mod:`clustering`, :mod:`crossval`, :mod:`tradeoff`, :mod:`uncertainty`, :mod:`marks` — the studies.

The lab depends on liqterm; liqterm never imports the lab. What the product ships from
here is data: the predictor's coefficients (``liqterm/engine/cascade_model.json``) and
the figures the app's scorecard shows (``liqterm/data/shipped_figures.json``).
"""
