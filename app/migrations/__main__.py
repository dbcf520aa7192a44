"""``python -m app.migrations``: the ``schemabot migrate`` commands without the main CLI."""

import sys

from app.migrations.command import main

sys.exit(main())
