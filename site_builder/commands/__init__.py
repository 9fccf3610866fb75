"""One module per CLI sub-command; each defines ``add_arguments(parser)`` and ``run(args)``."""
