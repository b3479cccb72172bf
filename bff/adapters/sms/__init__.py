"""SMS: the port (:mod:`.base`) and the logging adapter of the embedded default (:mod:`.logging_sender`)."""
