pytest_plugins = ["cityops.decisions.testing"]
