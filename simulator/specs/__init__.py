"""Value types of checked requests, shared by the engine and the operations (below both)."""
