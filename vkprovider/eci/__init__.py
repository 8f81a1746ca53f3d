"""The ECI boundary: the official SDK client, its errors, and nothing else."""
