"""Awesome LRM Safety: the scripts that keep the list current."""
