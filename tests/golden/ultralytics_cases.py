"""The Ultralytics cases recorded in ultralytics.json (by scripts/make_ultralytics_golden.py) and checked by
tests/test_frameworks_ultralytics.py: train arguments plus nb (batches per epoch). Edges: no warmup, warmup
longer than training (capped at epochs - 1), one epoch, fractional warmup_epochs, cos_lr."""

CASES = [
    dict(epochs=10, nb=5, lr0=0.01, lrf=0.01, warmup_epochs=3.0, cos_lr=False),
    dict(epochs=10, nb=5, lr0=0.01, lrf=0.01, warmup_epochs=3.0, cos_lr=True),
    dict(epochs=8, nb=4, lr0=0.002, lrf=0.1, warmup_epochs=0.0, cos_lr=True),
    dict(epochs=8, nb=4, lr0=0.002, lrf=0.1, warmup_epochs=0.5, cos_lr=False),   # nw = round(2.0)
    dict(epochs=6, nb=3, lr0=0.01, lrf=0.2, warmup_epochs=1.5, cos_lr=False),    # round(4.5) = 4 (banker's)
    dict(epochs=4, nb=5, lr0=0.01, lrf=0.01, warmup_epochs=10.0, cos_lr=True),   # capped at epochs - 1
    dict(epochs=1, nb=7, lr0=0.01, lrf=0.01, warmup_epochs=3.0, cos_lr=False),   # one epoch: no warmup
    dict(epochs=5, nb=1, lr0=0.05, lrf=1.0, warmup_epochs=2.0, cos_lr=False),    # lrf = 1: constant after warmup
]
