"""Allow ``python -m obolint``."""

from obolint.cli import run

if __name__ == "__main__":
    run()
