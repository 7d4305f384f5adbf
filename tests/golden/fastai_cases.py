"""The fastai cases recorded in fastai.json (by scripts/make_fastai_golden.py) and checked by
tests/test_frameworks_fastai.py: (function, learner lr, kwargs incl. n_epoch and n_iter = len(dls.train))."""

CASES = [
    ("fit_one_cycle", 1e-3, dict(n_epoch=3, n_iter=10)),
    ("fit_one_cycle", 1e-3, dict(n_epoch=2, n_iter=7, lr_max=0.01, div=10.0, div_final=1e4, pct_start=0.3)),
    ("fit_one_cycle", 1e-3, dict(n_epoch=1, n_iter=12, pct_start=0.0)),
    ("fit_one_cycle", 1e-3, dict(n_epoch=1, n_iter=12, pct_start=1.0)),
    ("fit_flat_cos", 1e-3, dict(n_epoch=4, n_iter=5)),
    ("fit_flat_cos", 1e-3, dict(n_epoch=4, n_iter=5, lr=0.02, pct_start=0.5, div_final=100.0)),
    ("combine_scheds", None, dict(n_epoch=2, n_iter=10, pcts=[0.1, 0.6, 0.3],
                                  scheds=[("SchedLin", dict(start=0.0, end=0.01)),
                                          ("SchedNo", dict(start=0.01, end=0.0)),
                                          ("SchedLin", dict(start=0.01, end=0.001))])),
    ("combine_scheds", None, dict(n_epoch=3, n_iter=4, pcts=[0.25, 0.75],
                                  scheds=[("SchedCos", dict(start=0.001, end=0.1)),
                                          ("SchedCos", dict(start=0.1, end=0.0))])),
]
