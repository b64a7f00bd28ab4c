"""The outbox: every e-mail that matters is a row written in the transaction of its cause, and
delivered from there by the worker until it is sent (decision 70)."""
