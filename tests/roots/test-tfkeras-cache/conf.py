extensions = ["sphinx_modelsummary"]
modelsummary_lockfile = "models.lock.json"
