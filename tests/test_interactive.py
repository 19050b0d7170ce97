"""The sliders of rnncourse.interactive: an offline animation by default, a widget under `make lab`,
and a text switcher that shows texts as text."""

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rnncourse import interactive

SANITIZE = Path(__file__).with_name("nbval_sanitize.cfg")


def draw(ax, power):
    ax.plot(np.linspace(0, 1, 20) ** power, label="curve")
    ax.set(title=f"power {power:g}", xlabel="x", ylabel="y")
    ax.legend()


def frames(html):
    return re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)


def sanitize(text):
    """What nbval compares: ``text`` after the rules of tests/nbval_sanitize.cfg."""
    from nbval.plugin import get_sanitize_patterns
    for regex, replace in get_sanitize_patterns(SANITIZE.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_scrubber_embeds_every_frame_at_twice_its_size_and_needs_no_network():
    anim = interactive.scrubber(draw, [0.5, 1.0, 2.0], label="power", figsize=(4, 2), dpi=100)
    assert anim.n_frames == 3
    embedded = frames(anim.html)
    assert len(embedded) == 1 + 3                      # the one shown first in <img>, then the frames
    assert embedded[0] == embedded[2] != embedded[1]   # the middle frame first; frames differ
    width, height = map(int, re.search(r'<img [^>]*width="(\d+)" height="(\d+)"', anim.html).groups())
    assert (width, height) == (400, 200)
    with Image.open(io.BytesIO(base64.b64decode(embedded[0]))) as frame:
        assert frame.size == (2 * width, 2 * height)
    assert 'type="range"' in anim.html and "anim-slider" in anim.html
    assert "https://" not in anim.html and "http://" not in anim.html
    assert 'class="fa' not in anim.html  # icons are characters, not a CDN font
    assert anim._repr_html_() is anim.html
    assert repr(anim) == "<animation over power: 3 frames from 0.5 to 2; drag the slider>"


def test_scrubber_has_a_visible_label_with_the_value_and_alt_text_per_frame():
    anim = interactive.scrubber(draw, [0.5, 1.0, 2.0], label="power", figsize=(4, 2))
    label = re.search(r'<label class="anim-label" for="([\w-]+)">power: <output[^>]*>([^<]*)</output>',
                      anim.html)
    assert label and label.group(2) == "1"                             # the middle value first
    assert f'id="{label.group(1)}"' in anim.html                       # the label names the slider
    alt = re.search(r'<img [^>]*alt="([^"]*)"', anim.html).group(1)
    assert "y against x" in alt and "power = 1." in alt and "Frame 2 of 3" in alt
    assert "power 1" not in alt                                        # titles are left out
    assert "power = 0.5." in anim.html and "power = 2." in anim.html   # every frame's alt text
    given = interactive.scrubber(draw, [1, 2], label="power", alt="A rising curve.", start=0)
    assert 'alt="A rising curve. Frame 1 of 2: power = 1."' in given.html


def test_scrubber_is_reproducible_and_ids_differ_by_label():
    first = interactive.scrubber(draw, [1.0, 2.0], label="power")
    again = interactive.scrubber(draw, [1.0, 2.0], label="power")
    other = interactive.scrubber(draw, [1.0, 2.0], label="exponent")
    assert first.html == again.html
    ids = {re.search(r'id="_anim_img(\w+)"', a.html).group(1) for a in (first, other)}
    assert len(ids) == 2


def test_scrubber_takes_values_that_are_not_numbers():
    anim = interactive.scrubber(lambda ax, step: ax.set_title(step), ["forget", "input"], label="step",
                                start=1)
    assert '["forget", "input"]' in anim.html
    assert repr(anim) == "<animation over step: 2 frames from forget to input; drag the slider>"


def test_explore_chooses_by_environment(monkeypatch):
    monkeypatch.delenv(interactive.WIDGETS_ENV, raising=False)
    assert isinstance(interactive.explore(draw, [1.0, 2.0], label="power"), interactive.Scrubber)
    monkeypatch.setenv(interactive.WIDGETS_ENV, "1")
    live = interactive.explore(draw, [1.0, 2.0], label="power")
    import ipywidgets
    assert isinstance(live, ipywidgets.interactive)


def test_too_few_values_or_a_bad_start_is_a_clear_error():
    with pytest.raises(ValueError, match="values: expected at least 2"):
        interactive.scrubber(draw, [1.0], label="power")
    with pytest.raises(ValueError, match="start: expected None or a frame index from 0 to 1, got 2"):
        interactive.scrubber(draw, [1.0, 2.0], label="power", start=2)
    with pytest.raises(ValueError, match="values: expected at least 2"):
        interactive.text_switcher({1.0: "a"}, label="T")
    with pytest.raises(TypeError, match="texts: expected"):
        interactive.text_switcher({1.0: "a", 2.0: 3}, label="T")


def test_text_switcher_shows_texts_as_escaped_text_one_at_a_time():
    texts = {0.5: "the cat <sat>", 1.0: "a & b\nline two", 2.0: "zq"}
    switch = interactive.text_switcher(texts, label="sampling temperature")
    blocks = re.findall(r'<pre class="switch-text"([^>]*)>(.*?)</pre>', switch.html, re.S)
    assert all(t.startswith(interactive.TEXT_START) and t.endswith(interactive.TEXT_END) for _, t in blocks)
    shown = [attrs for attrs, _ in blocks if "hidden" not in attrs]
    assert len(blocks) == 3 and len(shown) == 1 and 'data-index="1"' in shown[0]
    assert "the cat &lt;sat&gt;" in switch.html and "a &amp; b\nline two" in switch.html
    assert "sampling temperature: <output" in switch.html
    assert switch.texts == list(texts.values()) and switch.values == list(texts)
    assert repr(switch) == ("<text switcher over sampling temperature: 3 texts from 0.5 to 2; "
                            "drag the slider>")
    assert interactive.text_switcher(list(texts.items()), label="sampling temperature").html == switch.html


def test_nbval_compares_a_text_switcher_without_its_texts_and_an_animation_without_its_pixels():
    one = interactive.text_switcher({0.5: "abc", 1.0: "def"}, label="T")
    other = interactive.text_switcher({0.5: "xyz <&>", 1.0: "uvw"}, label="T")
    assert one.html != other.html and sanitize(one.html) == sanitize(other.html)
    assert "abc" not in sanitize(one.html) and '["0.5", "1"]' in sanitize(one.html)
    moved = interactive.text_switcher({0.5: "abc", 2.0: "def"}, label="T")
    assert sanitize(moved.html) != sanitize(one.html)                # the values are still compared
    anim = interactive.scrubber(draw, [1.0, 2.0], label="power")
    assert set(frames(sanitize(anim.html))) == {"FRAME"} and "power = 2." in sanitize(anim.html)
