"""``python -m clearance.cli``: the same as the ``customs`` command."""

from clearance.cli.main import main

raise SystemExit(main())
