"""Rules of the `mysql` group."""
