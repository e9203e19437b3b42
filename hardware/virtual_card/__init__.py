"""A virtual My Number card for tests and demos: the card itself (`card.py`: applications, files,
PIN counters and status words as the real card has them, an RSA key that signs), what it holds
(`profile.py`: a resident's data and PINs from a JSON file) and its link to vsmartcard's vpcd
driver in pcscd (`vpcd.py`), so every client — pyscard, OpenSC — talks to it through the real
PC/SC stack."""
