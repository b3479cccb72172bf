"""Use cases: each public function runs one use case inside one database transaction."""
