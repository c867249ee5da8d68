"""The web pages (blueprint `web`)."""
