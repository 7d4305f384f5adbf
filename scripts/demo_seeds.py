"""The teaching demo on other seeds: does each show what the Train page's caption says?

    python scripts/demo_seeds.py 0 1 2 3 4 5 6 7 8 9

For each seed, the final training loss of the three runs of ``ui.train.DEMO`` (one torch thread, as in the
app) and whether the caption holds: no warmup stalls near the 3.17 nats of predicting letter frequencies
(> 0.85 x that), linear warmup learns (< 3.17 - 0.6), and the constant warmup lands in between.
"""

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from ui.train import DEMO  # noqa: E402
from warmup_core.training.engine import train  # noqa: E402

UNIGRAM = 3.17  # nats per character of letter frequencies (tests/test_training.py computes it)


def main(seeds):
    torch.set_num_threads(1)
    both = between = 0
    for seed in seeds:
        final = {c.name: train(c).final_loss for c in replace(DEMO, seed=seed).configs()}
        none, linear, const = final["no warmup"], final["linear warmup"], final["constant warmup"]
        stalls_and_learns = none > 0.85 * UNIGRAM and linear < UNIGRAM - 0.6
        in_between = linear < const < none
        both += stalls_and_learns
        between += in_between
        print(f"seed {seed}: no warmup {none:.2f}, linear {linear:.2f}, constant {const:.2f}; "
              f"stalls vs learns: {stalls_and_learns}; constant in between: {in_between}", flush=True)
    print(f"{both}/{len(seeds)} seeds: no warmup stalls while linear learns; "
          f"{between}/{len(seeds)}: the constant warmup in between")


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [0, 1, 2])
