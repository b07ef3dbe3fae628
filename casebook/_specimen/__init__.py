"""Internals of :mod:`casebook.specimen`: the vocabulary, the vectorised engine and one
recipe per dataset. Nothing here is public API; import from :mod:`casebook.specimen`."""
