"""The taint engine: labelled values, the per-function interpreter, summaries and findings."""
