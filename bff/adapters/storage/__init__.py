"""Document storage: the filesystem adapter of the embedded default (:mod:`.filesystem`)."""
