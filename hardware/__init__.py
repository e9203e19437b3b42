"""Hardware at the counter, without Qt: My Number cards through PC/SC (pyscard), and the virtual
card and private pcscd the tests and demos use. Every failure is a `hardware.errors.CardError`
with a Japanese `.message`."""
