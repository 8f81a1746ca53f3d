"""An embedded, in-memory Kubernetes API server over real HTTP.

A test and demo fixture that must answer as kube-apiserver does; never the product.
"""
