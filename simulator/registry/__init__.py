"""The emulated image registry: references, images and layers, the catalog, cache matching.

Which images exist, what they are made of, who may pull them, and which image
cache serves which images. Pure values and lookups over catalog files; no
store, no clock, no HTTP.
"""
