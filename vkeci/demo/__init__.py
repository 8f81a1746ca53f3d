"""`vk-eci demo`: the product document's flink story, told by the running system."""
