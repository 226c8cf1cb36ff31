"""SynOp counting, TimeDistributed, and the plots (PNG files that open)."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from neuronet.brain import Leaky, SynOpCounter, TimeDistributed
from neuronet.brain import plots as P
from neuronet.brain.experiments import stdp_pattern_experiment
from neuronet.brain.hopfield import capacity_curve


def test_synops_count_input_spikes_times_fan_out():
    net = nn.Sequential(nn.Linear(6, 4), Leaky(threshold=0.5), nn.Linear(4, 3), Leaky())
    x = (np.random.default_rng(0).random((5, 2, 6)) < 0.3).astype(np.float32)  # T=5, N=2
    with nt.no_grad():
        hidden = net[1](net[0](nt.tensor(x)))
        with SynOpCounter(net) as c:
            out = net(nt.tensor(x))
    r = c.report()
    n_in = x.sum()
    n_hidden = hidden.numpy().sum()
    assert c.samples == 2
    assert r["input_spikes_per_sample"] == pytest.approx(n_in / 2)
    assert r["synops_per_sample"] == pytest.approx((n_in * 4 + n_hidden * 3) / 2)
    assert r["ann_macs_per_sample"] == 6 * 4 + 4 * 3
    assert r["spikes_per_sample"] == pytest.approx((n_hidden + out.numpy().sum()) / 2)
    assert not c._handles  # hooks removed on exit


def test_conv_macs_and_time_distributed():
    conv = nn.Conv2d(2, 3, 3, padding=1)
    net = nn.Sequential(TimeDistributed(conv), Leaky())
    x = nt.ones(4, 2, 2, 5, 5)  # T=4, N=2, every pixel spiking
    with nt.no_grad(), SynOpCounter(net) as c:
        y = net(x)
    assert tuple(y.shape) == (4, 2, 3, 5, 5)
    np.testing.assert_allclose(y.numpy()[0], (conv(x[0]).detach().numpy() > 1).astype(float))
    assert c.macs_per_sample() == 3 * 5 * 5 * 2 * 9
    assert c.synops_per_sample() == 4 * 2 * 25 * 3 * 9
    with pytest.raises(TypeError, match="nn.Module"):
        TimeDistributed(3)


def test_plots_write_pngs(tmp_path):
    rng = np.random.default_rng(0)
    spk = (rng.random((30, 8)) < 0.2).astype(float)
    figures = {
        "raster": P.plot_raster(spk, path=tmp_path / "raster.png"),
        "membrane": P.plot_membrane(rng.random((30, 2)), spk[:, :2],
                                    path=tmp_path / "membrane.png"),
        "fields": P.plot_receptive_fields(rng.normal(size=(5, 16)), (4, 4),
                                          path=tmp_path / "fields.png"),
        "capacity": P.plot_capacity(capacity_curve(30, loads=[2, 6], trials=1), 30,
                                    path=tmp_path / "capacity.png"),
        "latency": P.plot_latency(stdp_pattern_experiment(n_presentations=20, n_in=40),
                                  path=tmp_path / "latency.png"),
        "synops": P.plot_synops({"synops_per_sample": 5.0, "ann_macs_per_sample": 9.0,
                                 "spikes_per_sample": 3.0, "snn_energy_uj": 1.0,
                                 "ann_energy_uj": 2.0}, path=tmp_path / "synops.png"),
    }
    for name, fig in figures.items():
        data = (tmp_path / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000, name
        assert fig.axes


def test_direct_encoding_counts_the_analog_layer_as_macs():
    """RepeatSteps feeds one analog frame for T steps; the layer that reads the image
    multiplies (snn_macs), the layers after it read spikes (synops)."""
    from neuronet.brain import RepeatSteps

    first, second = nn.Linear(6, 4), nn.Linear(4, 3)
    net = nn.Sequential(first, RepeatSteps(5), Leaky(threshold=0.5), second, Leaky())
    x = nt.tensor(np.random.default_rng(1).random((2, 6)).astype(np.float32))  # analog
    with nt.no_grad():
        spikes = net[2](net[1](first(x)))
        with SynOpCounter(net) as c:
            out = net(x)
    assert tuple(out.shape) == (5, 2, 3)
    r = c.report()
    assert r["snn_macs_per_sample"] == 6 * 4  # once per image, not per step
    assert r["input_spikes_per_sample"] == 0
    assert r["synops_per_sample"] == pytest.approx(spikes.numpy().sum() * 3 / 2)
    assert r["ann_macs_per_sample"] == 6 * 4 + 4 * 3
    assert r["snn_energy_uj"] == pytest.approx((r["synops_per_sample"] * 0.9 + 24 * 4.6) * 1e-6)
    with pytest.raises(ValueError, match="positive int"):
        RepeatSteps(0)
