"""``python -m app.migrations``: the ``schemabot migrate`` commands without the main CLI."""

from app.migrations.command import main

main()
