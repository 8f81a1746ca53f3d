"""`vk-eci bench`: start-up (cached vs uncached) and scale (agent throughput and RSS) benchmarks."""
