"""``python -m protected_actions``: the command line (the demo when given no arguments)."""

from protected_actions.cli import main

raise SystemExit(main())
