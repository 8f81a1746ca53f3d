"""The `vk-eci` command line: wires the node agent, the ECI simulator and the
embedded API server together. It is the only package allowed to import all
three; the parts themselves never import each other."""
