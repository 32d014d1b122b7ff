"""declic-joblinks: a page of useful job-search links per organisation (a Déclic plugin)."""

__version__ = "1.0.0"
