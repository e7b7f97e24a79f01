"""Tools that drive the running services over their HTTP APIs: the demo and the dataset generator."""
