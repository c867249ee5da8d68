"""Browsing the library: the home page, the areas of development and the item pages."""
