"""Rules of the `files` group."""
