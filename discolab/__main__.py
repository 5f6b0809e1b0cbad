"""``python -m discolab`` runs the CLI."""

from discolab.cli import main

if __name__ == "__main__":
    main()
