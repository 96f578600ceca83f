"""Allow ``python -m obolint``."""

from obolint.cli import main

if __name__ == "__main__":
    main()
