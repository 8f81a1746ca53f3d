"""One module per `vk-eci` subcommand, each with `add_arguments` and `run`."""
