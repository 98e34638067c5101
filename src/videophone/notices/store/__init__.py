"""All SQL of the notices context: the services call these modules, which only read and write rows."""
