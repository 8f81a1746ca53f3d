"""The kubelet HTTPS API of the virtual node (logs, stats, pods, metrics)."""
