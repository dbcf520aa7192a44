"""Rules of the `postgres` group."""
