"""Frozen values and pure rules of the domain; standard library only."""
