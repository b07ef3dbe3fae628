"""Tests of casebook.coordination, one module per module of the package."""
