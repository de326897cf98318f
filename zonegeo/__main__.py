"""Run the command line as ``python -m zonegeo``."""

from zonegeo.cli import main

if __name__ == "__main__":
    main()
