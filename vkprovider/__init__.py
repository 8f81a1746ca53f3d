"""The node agent for node virtual-kubelet.

Runs its Pods as ECI container groups, serves the kubelet API and runs the
ImageCache controller. It never imports the simulator or the embedded API server.
"""
