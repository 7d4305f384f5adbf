"""The pure pieces behind the pages: curve reduction, figures, the URL codec, presets (no Streamlit run)."""

import numpy as np
import pytest

from ui import codegen, state
from ui.figures import Trace, difference_figure, heatmap_figure, relative_values, schedule_figure, small_multiples
from ui.presets import PRESETS, preset
from warmup_core import Decay, Schedule, Warmup
from warmup_core.downsample import downsample_curve, downsample_indices


def test_short_curves_are_kept_whole():
    np.testing.assert_array_equal(downsample_indices(np.arange(10.0)), np.arange(10))


def test_reduction_keeps_ends_peak_jumps_and_envelope():
    s = Schedule(1.0, Warmup("linear", 777), Decay("cosine_restarts", period=100_000, cycle_decay=0.5),
                 "prepend", 1_000_000)
    idx, y, full = downsample_curve(s, 1_000_000, max_points=2000)
    assert len(idx) <= 2000 and idx[0] == 0 and idx[-1] == 999_999
    assert 777 in idx and int(np.argmax(full)) in idx
    for b in s.breakpoints(999_999)[1:-1]:  # every restart: the step and the one before it
        assert int(b) in idx and int(b) - 1 in idx
    np.testing.assert_array_equal(y, full[idx])
    assert y.min() == pytest.approx(full.min(), abs=1e-3)  # the envelope's low points survive


def test_schedule_figure_has_title_axes_legend_and_step_lines():
    s = Schedule(0.1, Warmup("constant", 10, factor=0.1), Decay("multistep", milestones=[50]), "prepend", 100)
    t = np.arange(100)
    fig = schedule_figure([Trace("a", t, s(t), warmup_end=10)], title="T", x_unit="epochs", steps_per_epoch=10)
    d = fig.to_plotly_json()
    assert d["layout"]["title"]["text"] == "T" and d["layout"]["xaxis"]["title"]["text"] == "epoch"
    assert d["layout"]["yaxis"]["title"]["text"] == "learning rate" and d["data"][0]["line"]["shape"] == "hv"
    assert d["layout"]["hovermode"] == "x unified" and d["layout"]["shapes"]  # the shaded warmup


def test_log_axis_shows_zeros_as_gaps_not_errors():
    t = np.arange(5)
    fig = schedule_figure([Trace("a", t, np.array([0.0, 0.1, 0.2, 0.0, 0.3]))], log_y=True)
    y = np.asarray(fig.data[0].y, dtype=float)
    assert np.isnan(y[0]) and np.isnan(y[3]) and fig.layout.yaxis.type == "log"


def test_relative_values_and_other_figures():
    np.testing.assert_allclose(relative_values([1, 2, 3], [1, 0, 2], "ratio"), [1, np.nan, 1.5])
    np.testing.assert_allclose(relative_values([1, 2, 3], [1, 0, 2], "difference"), [0, 2, 1])
    t = np.arange(3)
    assert "baseline" in difference_figure([Trace("b", t, np.ones(3))], "a").layout.title.text
    assert len(small_multiples([Trace("a", t, t * 1.0), Trace("b", t, t * 2.0)]).data) == 2
    hm = heatmap_figure(np.array([[1.0, np.inf]]), [0, 10], [0.1], "map", "W", "lr", diverged=np.array([[0, 1]]))
    assert hm.data[1].name == "diverged" and list(hm.data[1].x) == ["10"]


def test_url_codec_round_trip_and_refusals():
    data = {"schedule": Schedule(0.1, Warmup("linear", 5), Decay("cosine"), total_steps=50).to_dict()}
    text = state.encode(data)
    assert state.decode(text) == data and len(text) < 300
    for bad in ["", "!!!", state.encode([1, 2])]:
        with pytest.raises(ValueError):
            state.decode(bad)


@pytest.mark.parametrize("label", list(PRESETS))
def test_every_preset_builds_a_plain_schedule_with_a_length(label):
    s = preset(label)
    assert isinstance(s, Schedule) and s.total_steps and s.summary()["peak_lr"] > 0
    assert codegen.pytorch(s)  # and its standalone export exists


def test_strategy_list_edits_are_pure():
    from ui import compare

    items = compare.default_strategies()
    new, name = compare.duplicate(items, "no warmup")
    assert name == "no warmup copy" and len(new) == 4 and len(items) == 3  # the old list is untouched
    new, name = compare.rename(new, "no warmup copy", "  mine ")
    assert name == "mine" and [s.name for s in new][-1] == "mine"
    with pytest.raises(ValueError, match="already"):
        compare.rename(new, "mine", "linear warmup")
    with pytest.raises(ValueError, match="1 to 60"):
        compare.rename(new, "mine", "   ")
    new, name = compare.delete(new, "mine")
    assert name == "no warmup" and len(new) == 3
    while len(new) > 1:
        new, _ = compare.delete(new, new[-1].name)
    with pytest.raises(ValueError, match="last strategy"):
        compare.delete(new, new[0].name)


def test_a_strategy_that_leaves_its_library_is_renamed_custom():
    from ui import compare

    items, name = compare.add_preset(compare.default_strategies(), "HF transformers: cosine with warmup")
    assert name == "HF transformers" and items[-1].preset
    edited = items[-1].schedule.replace(decay=items[-1].schedule.decay.__class__("linear"))
    new, name = compare.update(items, name, edited, None)
    assert name == "HF transformers (custom)" and new[-1].preset is None and new[-1].schedule == edited
    same, name2 = compare.update(new, name, edited, None)
    assert same is new and name2 == name


def test_user_text_is_escaped_in_figures():
    fig = schedule_figure([Trace('<a href="http://x">y</a>', np.arange(3), np.ones(3))])
    assert "<a" not in fig.data[0].name and "&lt;a" in fig.data[0].name
    assert fig.data[0].hovertemplate.endswith("<extra>%{fullData.name}</extra>")
    sm = small_multiples([Trace("<b>x</b>", np.arange(3), np.ones(3))])
    assert sm.layout.annotations[0].text == "&lt;b&gt;x&lt;/b&gt;"


@pytest.mark.parametrize("schedule", [
    Schedule(0.1, Warmup("linear", 500), Decay("cosine"), "prepend", 3_000_001),
    Schedule(0.1, Warmup("constant", 1000, factor=0.1), Decay("multistep", milestones=[10, 2_000_000]), "prepend",
             2_500_000),
    Schedule(0.1, Warmup("linear", 100), Decay("cosine_restarts", period=777), "override", 1_234_567),
    Schedule(0.1, Warmup(), Decay("constant"), "prepend", 1_000_000),  # a flat curve: the first maximum is step 0
    Schedule(0.1, Warmup("linear", 10), Decay("cosine"), "prepend", 4000),
])
def test_chunked_points_match_the_whole_curve(schedule):
    from ui import curves

    n = schedule.total_steps
    p = curves.points(schedule, n)
    full = schedule(np.arange(n, dtype=np.float64))
    assert len(p.steps) <= 5000 and p.steps[0] == 0 and p.steps[-1] == n - 1
    np.testing.assert_array_equal(p.values, full[p.steps])
    ref = schedule.summary()
    for k, v in ref.items():
        assert p.summary[k] == pytest.approx(v, rel=1e-12, abs=0), k
    for b in schedule.breakpoints(n - 1)[1:-1]:  # jumps drawn exactly
        assert int(np.ceil(b)) in p.steps and int(np.ceil(b)) - 1 in p.steps
    envelope = full[p.steps]
    assert envelope.max() == full.max() and envelope.min() == full.min()


def test_downloads_are_exact_and_the_csv_size_is_announced_closely():
    import io

    import pandas as pd

    from ui.explore import csv_size, full_curve_csv, full_curve_parquet

    s = Schedule(0.1, Warmup("linear", 500), Decay("cosine"), "prepend", 50_000)
    frame = pd.read_parquet(io.BytesIO(full_curve_parquet(s, 50_000, 100)))
    np.testing.assert_array_equal(frame["lr"].to_numpy(), s(np.arange(50_000)))
    assert list(frame["step"]) == list(range(50_000))
    real = len(full_curve_csv(s, 50_000, 100))
    assert abs(csv_size(s, 50_000, 100) / real - 1) < 0.02
    assert len(full_curve_parquet(s, 50_000, 100)) < real / 4


def test_long_titles_wrap_and_legends_sit_below_the_chart():
    from ui.figures import TITLE_CHARS, wrap_title

    long = "Linear (gradual) warmup → Cosine decay (prepend) — HF transformers: cosine with warmup"
    lines = wrap_title(long).split("<br>")
    assert len(lines) >= 2 and all(len(line) <= TITLE_CHARS for line in lines)
    assert " ".join(lines) == long  # nothing lost, only line breaks
    t = np.arange(10)
    fig = schedule_figure([Trace("a", t, t * 1.0), Trace("b", t, t * 2.0)], title=long).to_plotly_json()
    legend = fig["layout"]["legend"]
    assert legend["y"] < 0 and legend["yanchor"] == "top"  # under the axes: it cannot reach the title
    assert fig["layout"]["margin"]["t"] >= 22 * len(lines)  # room for every title line
    single = schedule_figure([Trace("a", t, t * 1.0)], title="T").to_plotly_json()
    assert single["data"][0]["showlegend"] is False  # one curve: no legend to collide with anything


def test_science_figures_keep_the_log_axes_they_ask_for():
    """``style`` sets every y axis linear: the log loss panels (regimes) and the log lr axes (lens) come after it."""
    from types import SimpleNamespace

    from ui.science import curvature_lens_figure, regimes_figure

    lr = np.linspace(0.01, 0.5, 50)
    runs = [SimpleNamespace(label=name, c_trgt=1.0, sharp_steps=[0, 10, 20], sharpness=[2.0, 3.0, 4.0], lr=lr,
                            lambda0=2.0, eta_trgt=0.5, loss=np.linspace(1.0, 0.1, 50)) for name in ("SP", "μP")]
    axes = regimes_figure(runs).layout
    assert [axes.yaxis.type, axes.yaxis2.type] != ["log", "log"]  # sharpness: linear
    assert axes.yaxis3.type == "log" and axes.yaxis4.type == "log"  # the loss panels
    lens = curvature_lens_figure(runs, [(1.0, 2.0, 0.05), (1.0, 3.0, 0.05)]).layout
    assert lens.yaxis.type == "log" and lens.yaxis2.type == "log"
