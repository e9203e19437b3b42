# Madoguchi — the two commands a newcomer needs: `make run` and `make test`.
# Each sets itself up on a fresh Debian/Ubuntu machine: Debian packages via apt (sudo when not
# root), then a virtual environment in .venv with the project installed in editable mode.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the project needs: venv/pip for Python, a compiler for wheels that build;
# the libraries Qt loads (offscreen and X11), the IPAex fonts and IPAmj Mincho (certificates: names
# outside IPAex, e.g. 𠮷), Xvfb for screenshots.
APT_PACKAGES := python3-venv python3-dev build-essential \
  libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3 \
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 \
  libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1 \
  fonts-ipaexfont fonts-ipamj-mincho xvfb xauth poppler-utils \
  pcscd libpcsclite-dev vsmartcard-vpcd opensc pcsc-tools swig
DEMO_DIR ?= var/demo
DEMO_RESIDENTS ?= 20000
# make run KIOSK=1: the self-service kiosk with a virtual My Number card instead of the clerk's desktop

.PHONY: run test bench install apt clean-demo

run: install
	$(BIN)/madoguchi demo --dir $(DEMO_DIR) --residents $(DEMO_RESIDENTS)$(if $(KIOSK), --kiosk)

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install
	$(BIN)/madoguchi bench

install: $(VENV)/.installed

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

$(VENV)/.installed: pyproject.toml Makefile | apt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

clean-demo:
	rm -rf $(DEMO_DIR)
