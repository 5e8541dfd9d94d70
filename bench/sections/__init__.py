"""The benchmark sections, one module each: `run(args, env)` measures, prints and returns its tables."""
