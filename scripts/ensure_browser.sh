#!/bin/sh
# Make sure Debian's Chromium and ChromeDriver (and CJK fonts, for the glossary's Chinese terms in
# screenshots) are installed for tests/test_browser.py. Installs them with apt when run as root;
# otherwise prints what to install and leaves the browser tests to skip with the same message.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
[ -d /usr/share/fonts/opentype/noto ] || missing="$missing fonts-noto-cjk"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing for the browser tests:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $missing >/dev/null
    } || echo "WARNING: apt-get could not install:$missing"
fi
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "################################################################################"
    echo "# BROWSER TESTS WILL BE SKIPPED: install Debian's packages chromium and"
    echo "# chromium-driver (sudo apt-get install chromium chromium-driver fonts-noto-cjk)"
    echo "################################################################################"
fi
exit 0
