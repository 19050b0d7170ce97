"""The sliders of rnncourse.interactive: an offline animation by default, a widget under `make lab`."""

import re

import numpy as np
import pytest

from rnncourse import interactive


def draw(ax, power):
    ax.plot(np.linspace(0, 1, 20) ** power)
    ax.set_title(f"power {power:g}")


def test_scrubber_embeds_every_frame_and_needs_no_network():
    anim = interactive.scrubber(draw, [0.5, 1.0, 2.0], label="power")
    assert anim.n_frames == 3
    assert len(re.findall(r"data:image/png;base64,", anim.html)) == 3
    assert 'type="range"' in anim.html
    assert "https://" not in anim.html and "http://" not in anim.html
    assert 'class="fa' not in anim.html  # icons are characters, not a CDN font
    assert anim._repr_html_() is anim.html
    assert repr(anim) == "<animation over power: 3 frames from 0.5 to 2; drag the slider>"


def test_scrubber_is_reproducible_and_ids_differ_by_label():
    first = interactive.scrubber(draw, [1.0, 2.0], label="power")
    again = interactive.scrubber(draw, [1.0, 2.0], label="power")
    other = interactive.scrubber(draw, [1.0, 2.0], label="exponent")
    assert first.html == again.html
    ids = {re.search(r'id="_anim_img(\w+)"', a.html).group(1) for a in (first, other)}
    assert len(ids) == 2


def test_explore_chooses_by_environment(monkeypatch):
    monkeypatch.delenv(interactive.WIDGETS_ENV, raising=False)
    assert isinstance(interactive.explore(draw, [1.0, 2.0], label="power"), interactive.Scrubber)
    monkeypatch.setenv(interactive.WIDGETS_ENV, "1")
    live = interactive.explore(draw, [1.0, 2.0], label="power")
    import ipywidgets
    assert isinstance(live, ipywidgets.interactive)


def test_too_few_values_is_a_clear_error():
    with pytest.raises(ValueError, match="values: expected at least 2"):
        interactive.scrubber(draw, [1.0], label="power")
