"""Debian's headless Chromium driven by selenium, as tests/test_browser.py and tests/test_lab.py use it.

``make test`` installs chromium and chromium-driver with apt when it runs as root
(scripts/ensure_browser.sh); without them the browser tests are skipped with :data:`INSTALL`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
MISSING = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
INSTALL = ("BROWSER TESTS SKIPPED: Debian's Chromium and ChromeDriver are missing "
           f"({', '.join(MISSING)}). Install them with: sudo apt-get install chromium chromium-driver")


def start_chromium(user_data_dir: Path, width: int = 1280, height: int = 900):
    """A headless Chromium (selenium ``webdriver.Chrome``) with a fresh profile in ``user_data_dir``.

    The flags keep Chromium from reaching out to Google's hosts on a closed network; ``--no-sandbox``
    lets it run as root. The caller ends it with ``driver.quit()``.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 f"--user-data-dir={user_data_dir}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver
