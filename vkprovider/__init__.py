"""The node agent: node virtual-kubelet, its Pods as ECI container groups, the kubelet API and the ImageCache controller. It never imports the simulator or the embedded API server."""
