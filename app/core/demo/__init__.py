"""The demo data set: a generated year of 丰都县武平镇 that reproduces the reference report.

``generator.fill(store)`` puts it into an empty database; ``plan``, ``rosters``, ``events`` and
``pools`` say what it holds."""
