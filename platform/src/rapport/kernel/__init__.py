"""The kernel: settings, database, jobs, logging, errors and the module host."""
