"""Spiders: they discover and fetch; they never extract."""
