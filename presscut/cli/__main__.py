"""``python -m presscut.cli`` runs the command line."""

from presscut.cli import main

main()
