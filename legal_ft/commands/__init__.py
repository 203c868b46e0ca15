"""One module per CLI command; each exposes a click command named in `legal_ft.cli.COMMANDS`."""
