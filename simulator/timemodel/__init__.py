"""Simulated time: the clock, and the calibrated model of how long each step takes.

`clock` keeps simulated time (real, scaled or virtual); `settings` holds the
model's calibration; `plans` are the step-by-step answers; `model` computes
them. Nothing here touches the store or HTTP.
"""
