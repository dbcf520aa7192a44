"""Rules of the `common` group."""
